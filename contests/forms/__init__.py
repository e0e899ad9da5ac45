"""Forms of the contests app: ``gp`` (the GP's pages) and ``researcher`` (the study pages)."""
