"""Pages of the contests app: ``gp`` (the GP's pages, reached by a link) and ``researcher``."""
