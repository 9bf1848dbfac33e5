"""Evidence as people read it: spans of the post as written, and reasons that quote them.

Scoring, the review desk, exports and reports all render reasons through this package, so it
depends on the text layer and the entities only, never on the desk.
"""
