"""Admin of the contests app."""
