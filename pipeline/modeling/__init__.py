"""Training, thresholds, evaluation, prediction and the model bundle."""
