#!/usr/bin/env bash
# The whole suite. Against PostgreSQL and Redis when DATABASE_URL and CELERY_BROKER_URL point
# there (CI), on the embedded defaults (SQLite, filesystem broker) otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian's chromium for the browser tests"
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium (apt-get install -y chromium)." >&2
    exit 1
  fi
fi
if ! command -v msgmerge >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installing Debian's gettext for the translation tests (makemessages)"
    apt-get update -qq && apt-get install -y -qq gettext >/dev/null
  else
    echo "The translation tests need GNU gettext (apt-get install -y gettext)." >&2
    exit 1
  fi
fi
echo "==> Database: ${DATABASE_URL:-SQLite (embedded default)}"
echo "==> Broker:   ${CELERY_BROKER_URL:-filesystem (embedded default)}"
exec $PY -m pytest "$@"
