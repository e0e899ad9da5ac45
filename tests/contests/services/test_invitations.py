"""Invitation links, consent and refusals, pseudonyms and the profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contests.models import ConsentRefusal, Invitation, Participant
from contests.services.errors import (
    AlreadyDeclined,
    ConsentError,
    ContestError,
    InvitationInvalid,
)
from contests.services.invitations import (
    invitation_accept,
    invitation_create_batch,
    invitation_decline,
    invitation_redeem,
    invitation_revoke,
    invitation_tokens_renew,
    token_hash,
)
from contests.services.participants import participant_create, participant_profile_update
from tests.contests.factories import StudyFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC)


def test_a_batch_gives_unguessable_tokens_stored_only_as_hashes() -> None:
    study = StudyFactory()
    made = invitation_create_batch(study=study, n=5, now=T0)
    tokens = [token for _, token in made]
    assert len(set(tokens)) == 5
    assert all(len(token) >= 40 for token in tokens)
    stored = set(Invitation.objects.values_list("token_hash", flat=True))
    assert stored == {token_hash(token) for token in tokens}
    assert not stored & set(tokens)


def test_a_batch_of_an_impossible_size_is_refused() -> None:
    study = StudyFactory()
    with pytest.raises(ContestError):
        invitation_create_batch(study=study, n=0, now=T0)
    assert not Invitation.objects.exists()


def test_a_link_is_bound_to_one_participant_on_first_use_and_works_again() -> None:
    study = StudyFactory()
    [(_, token)] = invitation_create_batch(study=study, n=1, now=T0)
    invitation = invitation_redeem(token=token, now=T0)
    assert invitation.participant is None
    participant = invitation_accept(
        invitation=invitation, consent_version="1", language="es", now=T0
    )
    assert participant.pseudonym == "R001"
    assert participant.consent_version == "1"
    assert participant.consented_at == T0
    assert participant.language == "es"
    again = invitation_redeem(token=token, now=T0 + timedelta(days=3))
    assert again.participant == participant
    assert (
        invitation_accept(invitation=again, consent_version="1", language="en", now=T0)
        == participant
    )
    assert Participant.objects.count() == 1


def test_pseudonyms_count_up_and_simulated_readers_are_kept_apart() -> None:
    study = StudyFactory()
    names = [
        invitation_accept(invitation=inv, consent_version="1", language="en", now=T0).pseudonym
        for inv, _ in invitation_create_batch(study=study, n=3, now=T0)
    ]
    assert names == ["R001", "R002", "R003"]
    simulated = participant_create(study=study, consent_version="1", now=T0, is_simulated=True)
    assert simulated.pseudonym == "S001"
    assert simulated.is_simulated


def test_unknown_revoked_and_expired_links_are_refused() -> None:
    study = StudyFactory()
    [(revoked, revoked_token), (_, expiring_token)] = invitation_create_batch(
        study=study, n=2, now=T0, expires_at=T0 + timedelta(days=1)
    )
    invitation_revoke(invitation=revoked, now=T0)
    with pytest.raises(InvitationInvalid, match="not valid"):
        invitation_redeem(token="made-up", now=T0)
    with pytest.raises(InvitationInvalid, match="withdrawn"):
        invitation_redeem(token=revoked_token, now=T0)
    assert invitation_redeem(token=expiring_token, now=T0 + timedelta(hours=23))
    with pytest.raises(InvitationInvalid, match="expired"):
        invitation_redeem(token=expiring_token, now=T0 + timedelta(days=1))


def test_links_to_a_draft_study_do_not_work() -> None:
    study = StudyFactory(status="draft")
    [(_, token)] = invitation_create_batch(study=study, n=1, now=T0)
    with pytest.raises(InvitationInvalid, match="not open"):
        invitation_redeem(token=token, now=T0)


def test_a_reader_may_come_back_to_a_closed_study_but_a_new_one_may_not_join() -> None:
    study = StudyFactory()
    [(used, used_token), (_, fresh_token)] = invitation_create_batch(study=study, n=2, now=T0)
    invitation_accept(invitation=used, consent_version="1", language="en", now=T0)
    study.status = "closed"
    study.save()
    assert invitation_redeem(token=used_token, now=T0).participant is not None
    with pytest.raises(InvitationInvalid):
        invitation_redeem(token=fresh_token, now=T0)


def test_consent_to_an_outdated_text_is_refused() -> None:
    study = StudyFactory(consent_version="2")
    [(invitation, _)] = invitation_create_batch(study=study, n=1, now=T0)
    with pytest.raises(ConsentError):
        invitation_accept(invitation=invitation, consent_version="1", language="en", now=T0)
    assert not Participant.objects.exists()
    invitation.refresh_from_db()
    assert invitation.participant is None


def test_declining_stores_the_refusal_and_nothing_else() -> None:
    study = StudyFactory()
    [(invitation, _)] = invitation_create_batch(study=study, n=1, now=T0)
    refusal = invitation_decline(invitation=invitation, consent_version="1", now=T0)
    assert ConsentRefusal.objects.get() == refusal
    assert refusal.consent_version == "1"
    assert refusal.refused_at == T0
    assert not Participant.objects.exists()
    invitation.refresh_from_db()
    assert invitation.participant is None
    assert invitation.used_at is None
    field_names = {f.name for f in ConsentRefusal._meta.get_fields()}
    assert field_names == {"id", "study", "consent_version", "refused_at"}


def test_the_profile_is_stored_and_bad_values_are_refused() -> None:
    study = StudyFactory()
    participant = participant_create(study=study, consent_version="1", now=T0)
    with pytest.raises(ContestError, match="specialty"):
        participant_profile_update(
            participant=participant,
            years_in_practice=5,
            specialty="surgeon-general",
            dermoscopy_training="none",
            country="AR",
            now=T0,
        )
    participant.refresh_from_db()
    assert participant.profile_completed_at is None
    participant_profile_update(
        participant=participant,
        years_in_practice=12,
        specialty="general_practice",
        dermoscopy_training="short_course",
        country=" Argentina ",
        now=T0,
    )
    participant.refresh_from_db()
    assert participant.years_in_practice == 12
    assert participant.country == "Argentina"
    assert participant.profile_completed_at == T0


def test_a_decline_of_another_version_than_the_studys_is_refused_and_stores_nothing() -> None:
    study = StudyFactory(consent_version="2")
    [(invitation, _)] = invitation_create_batch(study=study, n=1, now=T0)
    for forged in ("1", "x" * 3009):
        with pytest.raises(ConsentError):
            invitation_decline(invitation=invitation, consent_version=forged, now=T0)
    assert not ConsentRefusal.objects.exists()
    invitation.refresh_from_db()
    assert invitation.declined_at is None


def test_a_link_declines_once() -> None:
    study = StudyFactory()
    [(invitation, _)] = invitation_create_batch(study=study, n=1, now=T0)
    invitation_decline(invitation=invitation, consent_version="1", now=T0)
    with pytest.raises(AlreadyDeclined):
        invitation_decline(invitation=invitation, consent_version="1", now=T0)
    assert ConsentRefusal.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.declined_at == T0


def test_a_link_that_consented_cannot_decline_afterwards() -> None:
    study = StudyFactory()
    [(invitation, _)] = invitation_create_batch(study=study, n=1, now=T0)
    invitation_accept(invitation=invitation, consent_version="1", language="en", now=T0)
    with pytest.raises(InvitationInvalid):
        invitation_decline(invitation=invitation, consent_version="1", now=T0)
    assert not ConsentRefusal.objects.exists()


def test_links_never_delivered_get_new_tokens_and_the_old_ones_stop(db: None) -> None:
    study = StudyFactory()
    now = datetime(2025, 3, 1, tzinfo=UTC)
    made = invitation_create_batch(study=study, n=2, now=now)
    renewed = invitation_tokens_renew(invitations=[inv for inv, _ in made], now=now)
    assert [inv.pk for inv, _ in renewed] == [inv.pk for inv, _ in made]
    assert invitation_redeem(token=renewed[0][1], now=now).pk == made[0][0].pk
    with pytest.raises(InvitationInvalid):
        invitation_redeem(token=made[0][1], now=now)
    invitation_accept(invitation=renewed[0][0], consent_version="1", language="en", now=now)
    with pytest.raises(ContestError, match="already used"):
        invitation_tokens_renew(invitations=[renewed[0][0]], now=now)
