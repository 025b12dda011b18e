"""The repairs a document goes through: encoding and whitespace (:mod:`.repairs`), run-together
text (:mod:`.glue`), truncated leads and tails (:mod:`.leads`), flattened text (:mod:`.flat`)."""
