# One target per chore. `make demo` and `make test` work from a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
DEMO_IMAGES ?= 2000
export PYTHONUNBUFFERED := 1

.PHONY: install demo test test-fast lint format bench clean-demo messages deploy-test base-image

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar on -r requirements-dev.txt
	@touch $@

demo: install
	DEMO_IMAGES=$(DEMO_IMAGES) PY=$(PY) bash scripts/demo.sh

test: install
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/run_all.py

deploy-test: install
	bash scripts/deploy-test.sh

base-image:
	bash scripts/build-base-image.sh

# Where makemessages looks for strings: every app's Python and templates, not these (the tests
# read the same list: tests/contests/test_translations.py).
MESSAGES_IGNORE := .venv var tests bench docs static scripts docker

messages: install
	$(PY) manage.py makemessages -l es --no-obsolete $(addprefix --ignore=,$(MESSAGES_IGNORE))
	$(PY) manage.py compilemessages $(addprefix --ignore=,$(MESSAGES_IGNORE))

clean-demo:
	rm -rf var/
