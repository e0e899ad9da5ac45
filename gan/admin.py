"""Admin of the gan app."""
