"""Reproducible benchmark of Waspada's scoring and training against plain baselines and fastText."""
