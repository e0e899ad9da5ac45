"""Models of the contests app."""
