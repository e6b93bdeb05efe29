"""Data files shipped with the domain (read with importlib.resources)."""
