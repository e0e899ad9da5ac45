"""Writes of the contests app, one module per subject; import from the modules themselves.

This package re-exports nothing: a re-export chain here would run every service module (and the
selectors they read) whenever any one of them is imported, which is how import cycles start.
Every function is keyword-only and takes ``now`` where time matters.

``builder``
    study_create(*, title, description="", consent_text="", consent_version="1",
                 languages=("en", "es"), grace_seconds=2.0, show_score_after_close=False,
                 dataset=None) -> Study
    phase_create(*, study, title, order=None, time_limit_seconds=None, hint_style="none",
                 hint_run_id=None, case_order="shuffled", gated=False, instructions="",
                 opens_at=None, closes_at=None) -> Phase
    phase_cases_draw(*, phase, dataset, n, seed=0, proportions=None) -> list[Case]
    phase_cases_set(*, phase, images) -> list[Case]
    phase_images_add(*, phase, image_ids) -> list[Case]   # by image id, after the others
    study_phases_with_cases(*, study) -> list[Phase]      # refuses an empty phase
    study_open(*, study) -> Study            # refuses phases without cases or missing hints
    study_close(*, study, now=None) -> Study

``presets``
    study_create_paper(*, dataset, hint_run, hint_style="all", seed=0, title=..., scale=1.0)
        -> Study                          # the paper's three phases (data in contests.presets)
    study_open_waiting_for_hints(*, study) -> list[Phase]   # hint phases left locked

``invitations``
    invitation_create_batch(*, study, n, now, expires_at=None, label="")
        -> list[tuple[Invitation, str]]   # the tokens exist only in this return value
    invitation_revoke(*, invitation, now) -> Invitation
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
PhaseLocked, ReadingClosed, NotYetDue, BuilderError (PhaseImageError), SimulationError.
``locking``: ``lock_row``, the row lock that serialises two tabs of one reader.

Reads (progress, lock reasons, orders, hints, the researcher's overviews) live in
``contests.selectors``; the clock and the case order in the plain module ``contests.clock``.
"""
