"""What a worker computes for a run: gather its images, train, evaluate, predict.

The read side between the database and the plain modules (``data``, ``training``,
``inference``): it reads rows, hands arrays and paths over, and returns what they give. It
writes nothing to the database: ``classifier.services`` runs the jobs and stores the results.
"""

from __future__ import annotations

import functools
import posixpath
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import torch
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from classifier import data as D
from classifier import inference, training
from classifier.checkpoints import TrainState
from classifier.models import Experiment, TrainingRun
from classifier.nets import LesionNet, clinical_matrix
from classifier.train_config import TrainConfig
from core.storage import storage_cached, work_dir
from lesions.codes import DIAGNOSES
from lesions.models import Image, Partition

Progress = Callable[[int, int], None]


def image_key(image: Image) -> str:
    # The row's id ties the key to this catalogue entry, the hash to this exact file content.
    return f"{image.pk}-{image.sha256[:16]}"


def image_source(image: Image) -> Callable[[], File[bytes]]:
    """Opens the image's file in the media store (disk, NFS or S3), a fresh handle per call so
    that the cache's threads never share one."""
    storage, name = image.file.storage, image.file.name
    if not name:
        raise ValueError(f"Image {image.pk} has no stored file")
    return lambda: storage.open(name, "rb")


@dataclass
class ImageArrays:
    """Images of one data set in its decoded cache: the memmap, their rows, labels, clinical."""

    array: np.ndarray
    rows: np.ndarray
    labels: np.ndarray
    clinical: np.ndarray


def cached_images(
    images: Sequence[Image], size: tuple[int, int], progress: Progress | None = None
) -> ImageArrays:
    """Decoded ``images`` (all of one data set) at ``size``, decoding each at most once ever."""
    if not images:
        raise ValueError("No images")
    datasets = {image.dataset_id for image in images}
    if len(datasets) != 1:
        raise ValueError("cached_images takes the images of one data set")
    dataset = images[0].dataset
    everything = list(Image.objects.filter(dataset=dataset).order_by("pk"))
    # The cache holds the whole data set, so every later run at this size finds its images there.
    cache = D.build_cache(
        root=settings.IMAGE_CACHE_DIR,
        name=dataset.name,
        size=size,
        items=[(image_key(i), image_source(i)) for i in everything],
        progress=progress,
        max_pixels=settings.IMAGE_MAX_PIXELS,
    )
    return ImageArrays(
        array=cache.array,
        rows=cache.rows([image_key(i) for i in images]),
        labels=np.array([DIAGNOSES.index(i.lesion.diagnosis) for i in images], dtype=np.int64),
        clinical=clinical_matrix(
            [i.age for i in images], [i.sex for i in images], [i.localization for i in images]
        ),
    )


def run_experiment(run: TrainingRun) -> Experiment:
    if run.experiment is None:
        raise ValueError(f"Run {run.name!r} has no experiment: its predictions were imported")
    return run.experiment


def run_config(run: TrainingRun) -> TrainConfig:
    experiment = run_experiment(run)
    return TrainConfig(
        architecture=experiment.architecture,
        size=experiment.size,
        use_clinical=experiment.use_clinical,
        fusion=experiment.fusion,
        epochs=experiment.epochs,
        batch_size=experiment.batch_size,
        lr=experiment.lr,
        weight_decay=experiment.weight_decay,
        optimizer=experiment.optimizer,
        schedule=experiment.schedule,
        augmentation=experiment.augmentation,
        imbalance=experiment.imbalance,
        dropout=experiment.dropout,
        early_stopping_patience=experiment.early_stopping_patience,
        # Each fold its own seed, so folds differ yet each is reproducible.
        seed=experiment.seed * 1000 + (run.fold or 0),
        pretrained_file=experiment.pretrained_file,
    )


def fold_images(run: TrainingRun) -> tuple[list[Image], list[Image]]:
    """(training, validation) images of the run's fold; no fold: all training images, no val."""
    experiment = run_experiment(run)
    pool = Image.objects.filter(
        dataset=experiment.dataset, partition=Partition.TRAIN
    ).select_related("lesion", "dataset")
    pool = pool.order_by("pk")
    if run.fold is None:
        return list(pool), []
    return list(pool.exclude(fold=run.fold)), list(pool.filter(fold=run.fold))


def synthetic_images(run: TrainingRun) -> list[Image]:
    """The first ``synthetic_per_class`` generated images of each class, for the training fold."""
    experiment = run_experiment(run)
    if not experiment.synthetic_per_class or experiment.synthetic_dataset is None:
        return []
    chosen: list[Image] = []
    for code in DIAGNOSES:
        chosen += list(
            Image.objects.filter(dataset=experiment.synthetic_dataset, lesion__diagnosis=code)
            .select_related("lesion", "dataset")
            .order_by("pk")[: experiment.synthetic_per_class]
        )
    return chosen


def train_data(
    real: ImageArrays, n_train: int, synthetic: ImageArrays | None = None
) -> training.TrainData:
    """Training rows (real, then any synthetic) and validation rows, as one ``TrainData``.

    Real and generated images live in two caches; with generated ones the rows a run uses are
    copied into one array (the training loop copies them once anyway, onto the device).
    """
    array, rows = real.array, real.rows
    labels, clinical = real.labels, real.clinical
    train_rows = rows[:n_train]
    train_labels, train_clinical = labels[:n_train], clinical[:n_train]
    val_rows = rows[n_train:]
    if synthetic is not None and len(synthetic.rows):
        array = np.concatenate([real.array[rows], synthetic.array[synthetic.rows]])
        own = np.arange(len(array))
        train_rows = np.concatenate([own[:n_train], own[len(rows) :]])
        train_labels = np.concatenate([train_labels, synthetic.labels])
        train_clinical = np.concatenate([train_clinical, synthetic.clinical])
        val_rows = own[n_train : len(rows)]
    return training.TrainData(
        array=array,
        train_rows=train_rows,
        train_labels=train_labels,
        train_clinical=train_clinical,
        val_rows=val_rows,
        val_labels=labels[n_train:],
        val_clinical=clinical[n_train:],
    )


def test_images(run: TrainingRun) -> list[Image]:
    experiment = run_experiment(run)
    return list(
        Image.objects.filter(dataset=experiment.dataset, partition=Partition.TEST)
        .select_related("lesion", "dataset")
        .order_by("pk")
    )


def work_checkpoint(run: TrainingRun) -> Path:
    """Where this machine trains the run: its checkpoint, on local disk while it trains."""
    return work_dir("classifier", f"run-{run.pk}") / "checkpoint.pt"


def stored_best(checkpoint_name: str) -> str:
    """The stored best weights that go with a stored checkpoint (``best.pt`` beside it)."""
    return posixpath.join(posixpath.dirname(checkpoint_name), "best.pt")


def run_checkpoint_file(run: TrainingRun) -> Path:
    """A local file of the run's latest checkpoint (with its best weights beside it): the
    stored one named on the row, fetched once, else one trained here and not stored yet."""
    if run.checkpoint:
        local = storage_cached(run.checkpoint)
        if default_storage.exists(stored_best(run.checkpoint)):
            storage_cached(stored_best(run.checkpoint))
        return local
    if work_checkpoint(run).exists():
        return work_checkpoint(run)
    raise FileNotFoundError(f"Run {run.name!r} has no checkpoint")


def train(
    *,
    run: TrainingRun,
    device: torch.device | None = None,
    callback: training.Callback | None = None,
    cache_progress: Progress | None = None,
    stop_after_epoch: int | None = None,
    on_checkpoint: Callable[[TrainState], None] | None = None,
) -> training.TrainResult:
    """Train the run's fold into ``work_checkpoint(run)``, resuming from it when it exists."""
    config = run_config(run)
    train_set, val_set = fold_images(run)
    if not train_set:
        raise ValueError(f"Run {run.name!r} has no training images: make the splits first")
    arrays = cached_images(train_set + val_set, config.size, cache_progress)
    generated = synthetic_images(run)
    extra = cached_images(generated, config.size, cache_progress) if generated else None
    return training.train(
        config,
        train_data(arrays, len(train_set), extra),
        work_checkpoint(run),
        device=device,
        callback=callback,
        stop_after_epoch=stop_after_epoch,
        on_checkpoint=on_checkpoint,
    )


def run_model(run: TrainingRun, device: torch.device | None = None) -> LesionNet:
    return inference.load_model(run_checkpoint_file(run), device)


def probabilities_of(
    run: TrainingRun, images: Sequence[Image], *, model: LesionNet, device: torch.device
) -> np.ndarray:
    """Probabilities in the order of ``images``, which may come from several data sets."""
    size = run_config(run).size
    batch_size = run_experiment(run).batch_size
    by_dataset: dict[int, list[int]] = defaultdict(list)
    for position, image in enumerate(images):
        by_dataset[image.dataset_id].append(position)
    out = np.zeros((len(images), len(DIAGNOSES)))
    for positions in by_dataset.values():
        group = [images[p] for p in positions]
        arrays = cached_images(group, size)
        out[positions] = inference.predict(
            model,
            arrays.array,
            arrays.rows,
            arrays.clinical,
            batch_size=batch_size,
            device=device,
        )
    return out


@dataclass(frozen=True)
class HeldOut:
    """A run's probabilities for its data set's held-out images, and its inference speed."""

    images: list[Image]
    probabilities: np.ndarray
    ms_per_image_batched: float
    ms_per_image_batch1: float
    device: str


def evaluate(*, run: TrainingRun, device: torch.device | None = None) -> HeldOut:
    """Predict the held-out images of the run's data set and time the model."""
    device = device or inference.pick_device()
    images = test_images(run)
    if not images:
        raise ValueError(f"Data set of {run.name!r} has no held-out test images")
    model = run_model(run, device)
    probabilities = probabilities_of(run, images, model=model, device=device)
    batched, single = inference.time_inference(model, run_config(run).size, device=device)
    return HeldOut(
        images=images,
        probabilities=probabilities,
        ms_per_image_batched=batched,
        ms_per_image_batch1=single,
        device=device_name(device),
    )


def predict(
    *, run: TrainingRun, image_ids: Sequence[int], device: torch.device | None = None
) -> np.ndarray:
    """The run's probabilities for ``image_ids``, one row per id in their order."""
    device = device or inference.pick_device()
    found = Image.objects.select_related("lesion", "dataset").in_bulk(list(image_ids))
    images = [found[i] for i in image_ids if i in found]
    if len(images) != len(set(image_ids)):
        raise ValueError("Some image ids do not exist")
    model = run_model(run, device)
    return probabilities_of(run, images, model=model, device=device)


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads)"


@functools.lru_cache(maxsize=2)
def _cached_model(run: TrainingRun, checkpoint: str) -> LesionNet:
    # Keyed by the stored checkpoint's name, which is new for every epoch a run trains.
    return inference.load_model(run_checkpoint_file(run), torch.device("cpu"))


def predict_upload(
    *, run: TrainingRun, image_file: IO[bytes], age: float | None, sex: str, site: str
) -> dict[str, float]:
    """The run's seven probabilities for one uploaded image and its clinical data."""
    if not run.checkpoint:
        raise FileNotFoundError(f"Run {run.name!r} has no checkpoint")
    model = _cached_model(run, run.checkpoint)
    try:
        pixels = D.decode(image_file, run_config(run).size, max_pixels=settings.IMAGE_MAX_PIXELS)
    except (OSError, ValueError) as error:
        raise ValueError(f"Not a readable image: {error}") from error
    images = torch.from_numpy(pixels.copy()).permute(2, 0, 1).unsqueeze(0)
    clinical = torch.from_numpy(clinical_matrix([age], [sex], [site]))
    with torch.no_grad():
        logits = model(D.normalise(images), clinical if model.use_clinical else None)
    probabilities = torch.softmax(logits.double(), dim=1)[0].tolist()
    return dict(zip(DIAGNOSES, probabilities, strict=True))
