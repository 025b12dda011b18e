"""The repairs a document goes through: encoding and whitespace (:mod:`.repairs`), run-together
text (:mod:`.glue`), truncated leads and tails (:mod:`.leads`), flattened text (:mod:`.flat`).

Importing the package registers every implementation (:mod:`cleaner.ruleset.registry`).
"""

from cleaner.steps import flat, glue, leads, repairs

__all__ = ["flat", "glue", "leads", "repairs"]
