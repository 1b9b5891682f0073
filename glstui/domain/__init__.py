"""Pure dataclasses and rules. Imports nothing else of glstui and does no I/O."""
