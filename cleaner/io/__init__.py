"""The edges of a run: finding and reading inputs (:mod:`.readers`), writing outputs (:mod:`.writers`)."""
