"""URLs of the contests app: ``gp`` (namespace "take") and ``researcher`` ("contests")."""
