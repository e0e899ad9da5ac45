"""What the contest services refuse, each with a message fit to show (or log) as it is."""

from __future__ import annotations


class ContestError(Exception):
    """Base of every refusal of the contest services."""


class InvitationInvalid(ContestError):
    """The link is unknown, revoked, expired, or its study is not open."""


class ConsentError(ContestError):
    """Consent given to another text than the study's current one."""


class AlreadyDeclined(ContestError):
    """A link that declined to take part declines again: nothing more is stored."""


class PhaseLocked(ContestError):
    """The phase cannot be taken now (gated, not open yet, closed, or its hints are missing)."""


class ReadingClosed(ContestError):
    """A different answer to a reading that is already answered or timed out."""


class NotYetDue(ContestError):
    """A timeout asked for before the server's clock says the time is up."""


class BuilderError(ContestError):
    """A study, phase or case set that breaks the study's rules."""


class StudyNotDraft(BuilderError):
    """A change that only a study still in draft accepts (its phases, their order)."""


class PhaseImageError(BuilderError):
    """Image ids that cannot be added to a phase."""


class SimulationError(ContestError):
    """Phases that simulated readers cannot take as asked."""
