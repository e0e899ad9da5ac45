"""The demo's steps are tested on the same fixtures as the apps they drive."""

from tests.analysis.conftest import study_setup
from tests.gan.conftest import real_dataset

__all__ = ["real_dataset", "study_setup"]  # fixtures, shared with the app tests
