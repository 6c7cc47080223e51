"""lukhas: the production core."""
