"""Models of the gan app."""
