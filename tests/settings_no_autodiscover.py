"""The project's settings, minus the admin's autodiscovery.

``django.contrib.admin`` imports every app's ``admin.py`` at setup, and through them half of the
project: that would mask an import cycle. Used by ``tests/test_imports.py`` only.
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS as _APPS

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig" if app == "django.contrib.admin" else app
    for app in _APPS
]
