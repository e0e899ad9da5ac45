"""REST API of the contests app (researchers only: see REST_FRAMEWORK's default permission).

The study's whole life cycle, through the same services as the researcher pages:

    /api/contests/studies/                       list (filters: contests.api.filters), create
    /api/contests/studies/from-preset/           create from a ready-made design ("paper")
    /api/contests/studies/{id}/                  one study with its phases
    /api/contests/studies/{id}/phases/           add a phase (and draw its cases) to a draft
    /api/contests/studies/{id}/phases/reorder/   put a draft's phases in a new order
    /api/contests/studies/{id}/open/ .../close/  open (optionally waiting for hints), close
    /api/contests/studies/{id}/progress/         each reader's progress per phase
    /api/contests/studies/{id}/invitations/      new links, returned once
    /api/contests/phases/                        list, read, change (PATCH) before opening
    /api/contests/phases/{id}/draw/              draw the phase's cases again
    /api/contests/invitations/                   list (never a token), revoke

Modules: ``serializers`` (inputs and outputs), ``filters``, ``studies``, ``phases`` and
``invitations`` (the views), ``urls``.
"""
