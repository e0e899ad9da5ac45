"""Writes of the classifier app. Every function is keyword-only; long work is queued after the
transaction commits and runs through core's job life cycle.

Experiments (``classifier.services.experiments``)
    experiment_create(*, name, dataset, architecture="", resolution="low", use_clinical=False,
                      preset="", created_by=None, queue=False, **fields) -> Experiment
    experiment_runs_create(*, experiment) -> list[TrainingRun]
    experiment_queue(*, experiment) -> int
    run_queue(*, run) -> None
    grid_create(*, dataset, preset="paper", folds=5, queue=True) -> list[TrainingRun]

Jobs (``classifier.services.jobs``)
    run_train_and_evaluate(*, run, task_id="", device=None, listener=None) -> TrainingRun
    run_evaluate(*, run, device=None) -> Evaluation
    run_predict(*, run, image_ids, device=None) -> int
    prediction_job_create(*, run, image_ids, label="", queue=True) -> PredictionJob
    prediction_job_run(*, job, task_id="") -> PredictionJob

Predictions (``classifier.services.predictions``)
    predictions_store(*, run, image_ids, probabilities, now=None) -> int
    evaluation_store(*, run, images, probabilities, split="test", ...) -> Evaluation
    predictions_import(*, run_name, path, now, dataset_name=None) -> TrainingRun
        # raises classifier.predictions.PredictionImportError, all rows or none
"""

from classifier.services.experiments import (
    experiment_create,
    experiment_folds,
    experiment_queue,
    experiment_runs_create,
    grid_create,
    run_queue,
)
from classifier.services.jobs import (
    prediction_job_create,
    prediction_job_run,
    run_evaluate,
    run_predict,
    run_train_and_evaluate,
)
from classifier.services.predictions import (
    evaluation_store,
    predictions_import,
    predictions_store,
)

__all__ = [
    "evaluation_store",
    "experiment_create",
    "experiment_folds",
    "experiment_queue",
    "experiment_runs_create",
    "grid_create",
    "prediction_job_create",
    "prediction_job_run",
    "predictions_import",
    "predictions_store",
    "run_evaluate",
    "run_predict",
    "run_queue",
    "run_train_and_evaluate",
]
