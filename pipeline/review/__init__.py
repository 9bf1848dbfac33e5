"""Human review of flagged posts: the review store, the browser desk, spreadsheets, and labeled data."""
