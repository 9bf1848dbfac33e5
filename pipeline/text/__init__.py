"""Indonesian text layer: cleaning hostile text, normalising it for features, tokenising it."""
