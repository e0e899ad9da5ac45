"""Reads of the contests app, one module per reader of them.

``participant``  a participant's progress, lock reasons, case order and score (the GP pages)
``researcher``   studies at a glance and each reader's progress (the researcher's pages, API)
``hints``        the hint snapshot of a case and the hint phases' missing predictions
``designs``      paired phases, each reader's phases, cases, session and washout; the reading
                 awaiting its confidence

Selectors never import services: the services build on them, never the other way round.
"""
