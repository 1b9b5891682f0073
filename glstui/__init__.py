"""glstui: a keyboard-driven terminal console that connects Amazon seller accounts to GLS."""

__version__ = "0.1.0"
