"""The Textual user interface: the only package of glstui that imports textual."""
