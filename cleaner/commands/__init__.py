"""What each command does, one module per command; :mod:`cleaner.cli` only parses arguments into these."""
