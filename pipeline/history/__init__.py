"""Run history and trends: what changed between collections (recruiters, templates, destinations)."""
