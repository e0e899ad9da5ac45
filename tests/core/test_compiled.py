"""Reads compiled once: the same rows and values as the ORM's, with new parameters each run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contests.models import Event, Participant, Study
from core.compiled import CompiledInsert, CompiledUpdate, CompiledValues, fields_of, instance
from tests.contests.factories import StudyFactory, make_participant

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)

by_pseudonym = CompiledValues(
    lambda study_id, pseudonym: (
        Participant.objects.filter(study=study_id, pseudonym=pseudonym)
        .order_by()
        .values_list("pk", "consented_at", "case_orders", "study__languages")
    ),
    study_id=int,
    pseudonym=str,
)


def test_it_returns_what_the_orm_returns_for_each_new_parameter() -> None:
    study = StudyFactory(languages=["es"])
    first, _ = make_participant(study, now=T0)
    second, _ = make_participant(study, now=T0)
    Participant.objects.filter(pk=second.pk).update(case_orders={"7": [3, 1, 2]})
    for participant in (first, second):
        expected = list(
            Participant.objects.filter(pk=participant.pk).values_list(
                "pk", "consented_at", "case_orders", "study__languages"
            )
        )
        got = by_pseudonym.rows(study_id=study.pk, pseudonym=participant.pseudonym)
        assert got == expected
    assert by_pseudonym.rows(study_id=study.pk, pseudonym="nobody") == []
    [(_, consented_at, orders, languages)] = by_pseudonym.rows(
        study_id=study.pk, pseudonym=second.pseudonym
    )
    assert consented_at == T0
    assert orders == {"7": [3, 1, 2]}
    assert languages == ["es"]


def test_instances_are_built_as_the_orm_builds_them() -> None:
    study = StudyFactory(title="Lesions")
    names = fields_of(Study)
    # A model with texts per language is read without modeltranslation's rewriting.
    with pytest.raises(ValueError, match="rewrite"):
        CompiledValues(lambda pk: Study.objects.filter(pk=pk).values_list(*names), pk=int).rows(
            pk=study.pk
        )
    [row] = CompiledValues(
        lambda pk: Study.objects.rewrite(False).filter(pk=pk).order_by().values_list(*names),
        pk=int,
    ).rows(pk=study.pk)
    built = instance(Study, names, row)
    assert built == study
    assert built.title == "Lesions"
    assert built.languages == study.languages
    assert not built._state.adding


def test_a_parameter_missing_from_the_query_is_refused_at_first_use() -> None:
    forgetful = CompiledValues(
        lambda pk, title: Participant.objects.filter(pk=pk).values_list("pk"), pk=int, title=str
    )
    with pytest.raises(ValueError, match="title"):
        forgetful.rows(pk=1, title="x")


def test_an_update_writes_the_named_fields_of_one_row_as_save_would() -> None:
    study = StudyFactory()
    first, _ = make_participant(study, now=T0)
    second, _ = make_participant(study, now=T0)
    seen = CompiledUpdate(Participant, ["last_seen_at", "case_orders"])
    later = datetime(2026, 3, 2, 9, 30, 0, tzinfo=UTC)
    assert seen.run(first.pk, last_seen_at=later, case_orders={"1": [5, 4]}) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.last_seen_at == later
    assert first.case_orders == {"1": [5, 4]}
    assert second.last_seen_at == T0
    second.case_orders = {"2": [1]}
    second.last_seen_at = None
    seen.save(second)
    second.refresh_from_db()
    assert second.case_orders == {"2": [1]}
    assert second.last_seen_at is None


def test_an_insert_writes_rows_as_save_would_and_gives_one_its_id() -> None:
    study = StudyFactory()
    participant, _ = make_participant(study, now=T0)
    events = CompiledInsert(Event)
    events.insert(
        [
            Event(participant=participant, kind="served", at=T0, data={"position": 0}),
            Event(participant=participant, kind="resumed", at=T0, data={}),
        ]
    )
    stored = list(Event.objects.filter(participant=participant).values_list("kind", "at", "data"))
    assert stored == [("served", T0, {"position": 0}), ("resumed", T0, {})]
    one = Event(participant=participant, kind="answered", at=T0, data={"diagnosis": "mel"})
    events.insert_one(one)
    assert one.pk is not None
    assert not one._state.adding
    assert Event.objects.get(pk=one.pk).data == {"diagnosis": "mel"}
