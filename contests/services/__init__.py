"""Writes of the contests app, one module per subject; import from the modules themselves.

This package re-exports nothing: a re-export chain here would run every service module (and the
selectors they read) whenever any one of them is imported, which is how import cycles start.
Every function is keyword-only and takes ``now`` where time matters.

``builder``
    study_create(*, title, description="", consent_text="", consent_version="1",
                 languages=("en", "es"), grace_seconds=2.0, show_score_after_close=False,
                 dataset=None, design="sequential", washout_days=28, asks_confidence=False,
                 block_size=4, texts=None) -> Study   # texts in languages[0]; ``texts``: others
    phase_create(*, study, title, order=None, time_limit_seconds=None, hint_style="none",
                 hint_run_id=None, case_order="shuffled", gated=False, instructions="",
                 opens_at=None, closes_at=None) -> Phase
    phase_cases_draw(*, phase, dataset, n, seed=0, proportions=None) -> list[Case]
    phase_cases_set(*, phase, images) -> list[Case]
    phase_images_add(*, phase, image_ids) -> list[Case]   # by image id, after the others
    study_phases_with_cases(*, study) -> list[Phase]      # refuses an empty phase
    study_check_draft(*, study) -> None      # StudyNotDraft unless its phases may change
    phase_update(*, phase, changes: PhaseChanges) -> Phase        # draft studies only
    study_phases_reorder(*, study, phase_ids) -> list[Phase]       # draft studies only
    study_open(*, study) -> Study            # refuses phases without cases or missing hints
    study_close(*, study, now=None) -> Study

``content``  (texts per language, consent versions; contests/translation.py names the texts)
    study_texts_update(*, study, texts) -> Study   # {"es": {"title": ...}}; any time; a changed
        # consent text of an opened study is a new version (kept in ConsentText)
    phase_texts_update(*, phase, texts) -> Phase   # title and instructions, any time
    participant_needs_consent(participant) -> bool     # behind the study's consent version
    participant_consent_renew(*, participant, consent_version, now) -> Participant
    participant_withdraw(*, participant, consent_version, now) -> Participant  # reads no more

``presets``
    study_create_paper(*, dataset, hint_run, hint_style="all", seed=0, title=..., scale=1.0)
        -> Study                          # the paper's three phases (data in contests.presets)
    study_create_paper(..., counterbalanced=False, asks_confidence=False, block_size=4)
    study_create_crossover(*, dataset, hint_run, hint_style="all", seed=0, title=..., scale=1.0,
                           washout_days=28, asks_confidence=False, block_size=4) -> Study
    study_create_from_preset(*, preset, dataset, hint_run, ...) -> Study  # "paper"|"crossover"
    study_open_waiting_for_hints(*, study) -> list[Phase]   # hint phases left locked

``designs``  (counterbalanced and crossover studies; contests.designs holds the rules)
    phase_cases_share(*, phase, source) -> list[Case]       # a crossover's other session
    phases_counterbalance(*, first, second) -> None         # image sets A and B in both
    participant_arm_draw(*, study, is_simulated) -> int | None   # blocked randomisation

``sessions``
    participant_reminder_set(*, participant, email, now) -> Participant
    session_reminders_send(*, now) -> int      # the one e-mail when the next session opens

``confidence``
    reading_confidence_set(*, reading, confidence, now) -> Reading   # "How sure are you?" 1-5

``invitations``
    invitation_create_batch(*, study, n, now, expires_at=None, label="")
        -> list[tuple[Invitation, str]]   # the tokens exist only in this return value
    invitation_revoke(*, invitation, now) -> Invitation
    invitation_tokens_renew(*, invitations, now) -> list[tuple[Invitation, str]]
        # new tokens for links never delivered (an idempotent retry); refuses used ones
    invitation_redeem(*, token, now) -> Invitation          # validates, writes nothing
    invitation_accept(*, invitation, consent_version, language, now) -> Participant
    invitation_decline(*, invitation, consent_version, now) -> ConsentRefusal
    token_hash(token) -> str

``participants``
    participant_create(*, study, consent_version, now, language="en", is_simulated=False)
        -> Participant                    # R001... real, S001... simulated
    consent_refuse(*, study, consent_version, now) -> ConsentRefusal
    participant_profile_update(*, participant, years_in_practice, specialty,
                               dermoscopy_training, country, now, language=None) -> Participant
    participant_touch(*, participant, now) -> None

``readings``
    reading_serve_next(*, participant, phase, now) -> Reading | None   # None: phase done
    reading_submit(*, reading, diagnosis, now) -> Reading
    reading_submit_and_serve_next(*, participant, phase_order, case_key, diagnosis, now,
                                  serve_next=True) -> AnswerServed
        # the GP's answer and the next case in one transaction with one lock
    reading_time_out(*, reading, now) -> Reading
    phase_expire_readings(*, participant, phase, now) -> int

``simulation``
    phases_simulate_readers(*, phases, n=0, behaviour, seed=0, now=None, readers=(),
                            on_reader_done=None) -> list[Participant]
        # simulated readers through the services above; the reader model is contests.simulation

``errors``: refusals raise subclasses of ``ContestError``: InvitationInvalid, ConsentError,
PhaseLocked, ReadingClosed, NotYetDue, BuilderError (StudyNotDraft, PhaseImageError),
SimulationError.
``locking``: ``lock_row``, the row lock that serialises two tabs of one reader.

Reads (progress, lock reasons, orders, hints, the researcher's overviews) live in
``contests.selectors``; the clock and the case order in the plain module ``contests.clock``.
"""
