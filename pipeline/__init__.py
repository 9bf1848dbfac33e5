"""Waspada: find TPPO/TPPM recruitment in Indonesian social-media posts."""

__version__ = "0.1.0"
