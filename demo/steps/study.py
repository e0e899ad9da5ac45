"""The demo's study: the paper's three phases over the held-out stand-in images.

It builds the study (scaled down when the demo catalogue is small), opens it, writes three
invitation links to var/demo-links.txt, and has 22 simulated GPs take the untimed phase and 19
take the timed phases. The AI phase needs its model's predictions: when a classifier run already
has them, the 19 take it too; otherwise the study opens with that phase locked ("being
prepared") and bound to the newest run on the data set, which unlocks by itself once that run
writes its predictions; a background job then has the same 19 readers take it. Every step
looks at what is already there first, so the demo can be run again at any time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress

from contests.links import invitation_link
from contests.models import Participant, Phase, Study
from contests.presets import PAPER_PHASES
from contests.selectors.hints import hint_run_for, phase_images_without_hint
from contests.services.content import study_texts_update
from contests.services.invitations import invitation_create_batch
from contests.services.presets import study_create_paper, study_open_waiting_for_hints
from contests.services.simulation import phases_simulate_readers
from contests.simulation import Behaviour
from demo.options import DATASET, DemoOptions
from lesions.models import Dataset, Partition

TITLE = "Demo: GPs, GPs with AI, and the AI (paper preset)"
TITLE_ES = "Demostración: médicos generalistas, con la IA, y la IA (estudio del artículo)"
UNTIMED_READERS = 22
TIMED_READERS = 19
# The paper's GPs: 27.74% untimed, 17.29% at 45 s; with the AI's answer shown, 42.43%.
UNTIMED = Behaviour(accuracy=0.28, ai_follow=0.0, seconds_mean=25.0)
# Timeouts count as wrong: 0.21 right when answered, about 18% timed out, 17% overall.
TIMED = Behaviour(accuracy=0.21, ai_follow=0.4, seconds_mean=28.0)
PAPER_CASES = sum(spec.cases for spec in PAPER_PHASES)


def _base_url() -> str:
    return (
        f"http://{os.environ.get('DEMO_HOST', '127.0.0.1')}:{os.environ.get('DEMO_PORT', '8000')}"
    )


def _build(dataset: Dataset, seed: int, out: Console) -> Study | None:
    free = (
        dataset.images.filter(partition=Partition.TEST, is_synthetic=False)
        .values("lesion_id")
        .distinct()
        .count()
    )
    hint_run = hint_run_for(dataset=dataset)
    if hint_run is None:
        out.print("[yellow]No classifier run on the stand-in images yet: study not built.")
        return None
    # The paper needs 233 held-out lesions; a smaller demo catalogue gets a smaller study.
    scale = min(1.0, 0.9 * free / PAPER_CASES)
    if scale < 1.0:
        out.print(f"{free} held-out lesions: phases scaled to {scale:.0%} of the paper's.")
    study = study_create_paper(
        dataset=dataset, hint_run=hint_run, seed=seed, scale=scale, title=TITLE
    )
    study_texts_update(study=study, texts={"es": {"title": TITLE_ES}})
    study_open_waiting_for_hints(study=study)
    return study


def _write_links(study: Study, out: Console) -> None:
    links_file = settings.VAR_DIR / "demo-links.txt"
    marker = f"# study {study.pk}\n"
    if links_file.exists() and links_file.read_text().startswith(marker):
        out.print(f"Invitation links already in {links_file}")
        return
    made = invitation_create_batch(study=study, n=3, now=timezone.now(), label="demo")
    base = _base_url()
    lines = [invitation_link(token=token, base_url=base) for _, token in made]
    links_file.write_text(marker + "\n".join(lines) + "\n")
    links_file.chmod(0o600)
    out.print(f"3 invitation links written to {links_file}")


def _simulate(
    phases: list[Phase],
    behaviour: Behaviour,
    seed: int,
    out: Console,
    *,
    n: int = 0,
    readers: Sequence[Participant] = (),
) -> None:
    total = n or len(readers)
    title = " + ".join(phase.title for phase in phases)
    with Progress(console=out) as progress:
        bar = progress.add_task(f"simulated GPs: {title}", total=total)
        phases_simulate_readers(
            phases=phases,
            behaviour=behaviour,
            seed=seed,
            on_reader_done=lambda _: progress.advance(bar),
            n=n,
            readers=readers,
        )


def _rebind_waiting_hints(hinted: Phase, dataset: Dataset, out: Console) -> int:
    """Images of the AI phase still without a hint, after moving the phase to a model that has
    them all if its own has not (no reader has seen a hint yet, so nothing shown changes)."""
    waiting = phase_images_without_hint(phase=hinted)
    candidate = hint_run_for(dataset=dataset)
    if not waiting or candidate is None or candidate.pk == hinted.hint_run_id:
        return waiting
    if hinted.cases.filter(readings__isnull=False).exists():
        return waiting
    current = hinted.hint_run
    hinted.hint_run = candidate
    if phase_images_without_hint(phase=hinted):
        hinted.hint_run = current
        return waiting
    hinted.save(update_fields=["hint_run"])
    out.print(f"{hinted.title}: hints now from {candidate}, which has predicted all its images.")
    return 0


def setup(*, options: DemoOptions, out: Console) -> None:
    dataset = Dataset.objects.filter(name=DATASET).first()
    if dataset is None or not dataset.images.filter(partition=Partition.TEST).exists():
        out.print(f"[yellow]No held-out images in {DATASET!r} yet: the demo study is skipped.")
        return
    study = Study.objects.filter(title_en=TITLE, dataset=dataset).first()
    if study is None:
        study = _build(dataset, options.seed, out)
        if study is None:
            return
    out.print(f"Study {study.pk}: {study.title}")
    _write_links(study, out)
    untimed, timed, hinted = list(study.phases.order_by("order"))
    simulated = Participant.objects.filter(study=study, is_simulated=True)
    on_untimed = simulated.filter(readings__case__phase=untimed).distinct().count()
    if on_untimed < UNTIMED_READERS:
        _simulate([untimed], UNTIMED, options.seed, out, n=UNTIMED_READERS - on_untimed)
    waiting = _rebind_waiting_hints(hinted, dataset, out)
    on_timed = simulated.filter(readings__case__phase=timed).distinct().count()
    missing = TIMED_READERS - on_timed
    if missing > 0:
        phases = [timed] if waiting else [timed, hinted]
        _simulate(phases, TIMED, options.seed + 1, out, n=missing)
    if not finish_hint_phase(study=study, seed=options.seed, out=out):
        from demo.tasks import demo_finish_hint_phase

        out.print(
            f"[yellow]{hinted.title}: waiting for {hinted.hint_run} to predict its images;"
            " it opens by itself then, and a background job has the simulated GPs take it."
        )
        demo_finish_hint_phase.delay(study_id=study.pk, seed=options.seed)
        return
    out.print(
        f"{UNTIMED_READERS} simulated GPs on {untimed.title}; {TIMED_READERS} on the timed phases."
    )


def finish_hint_phase(*, study: Study, seed: int, out: Console) -> bool:
    """The simulated GPs of the timed phase go on to the AI phase once its model has predicted
    all its images; False while the phase still waits for them."""
    _, timed, hinted = list(study.phases.order_by("order"))
    assert study.dataset is not None  # the demo's study is built on its data set
    if _rebind_waiting_hints(hinted, study.dataset, out):
        return False
    simulated = Participant.objects.filter(study=study, is_simulated=True)
    behind = [
        reader
        for reader in simulated.filter(readings__case__phase=timed).distinct()
        if not reader.readings.filter(case__phase=hinted).exists()
    ]
    if behind:
        _simulate([hinted], TIMED, seed + 1, out, readers=behind)
    return True
