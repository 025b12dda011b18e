"""The boilerplate engine: line, span, block and run rules applied to a text (:mod:`.engine`)."""
