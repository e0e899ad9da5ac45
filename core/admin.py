"""Admin of the core app."""
