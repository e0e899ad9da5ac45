"""REST API of the analysis app (researchers only): a study's summary, its CSV exports, and
report jobs (queue one, poll it, download its files).

    /api/analysis/studies/{id}/summary/              Table 4, hint comparisons, per class
    /api/analysis/studies/{id}/exports/{name}.csv    readings, readers, per_class, imrmc
    /api/analysis/studies/{id}/reports/              queue a report job
    /api/analysis/reports/                           report jobs (filters: analysis.api.filters)
    /api/analysis/reports/{id}/                      one job: poll its status and progress
    /api/analysis/reports/{id}/files/{filename}      one of its files once it has succeeded

Modules: ``serializers``, ``filters``, ``summary`` (summary and exports), ``reports``, ``urls``.
"""
