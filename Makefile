# oglabs — the two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint typecheck importlint unit browser bench messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "oglabs needs Python 3.11, found " + sys.version' 
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable

demo: migrate
	$(PY) manage.py load_places
	$(PY) manage.py load_demo

# Serve the demo on http://$(HOST):$(PORT), with a background worker that sends queued mail.
# Mail is printed to this terminal (console backend), so e-mail verification links are visible.
run: demo
	@export DJANGO_DEBUG=1 OGLABS_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend; \
	$(PY) manage.py demo_logins; \
	$(PY) manage.py commit_deadline --due --schedule; \
	$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check oglabs tests bench
	$(VENV)/bin/ruff format --check oglabs tests bench

importlint: install
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy oglabs/core oglabs/accounts oglabs/places oglabs/calls oglabs/proposals \
	  oglabs/support oglabs/reviews oglabs/selection oglabs/transparency oglabs/monitoring \
	  oglabs/audit oglabs/mail

# The whole suite on SQLite unless DATABASE_URL says otherwise. Browser tests run when
# Chromium is installed and are reported as skipped (loudly) when it is not.
unit: install
	OGLABS_FAST_PASSWORD_HASHER=1 $(VENV)/bin/pytest -m "not browser" -q

browser: install
	@if [ -x /usr/lib/chromium/chromium ]; then \
	  OGLABS_FAST_PASSWORD_HASHER=1 $(VENV)/bin/pytest -m browser -q -p no:cacheprovider; \
	else \
	  echo "*** BROWSER TESTS SKIPPED: Chromium is not installed (apt-get install chromium). .ci/run installs it. ***"; \
	fi

test: lint importlint typecheck unit browser

bench: install
	$(PY) bench/run.py

# Translations (needs GNU gettext; the compiled .mo files are committed). Source strings are
# German; en/django.po holds the English. de/django.po only carries the formal ("Sie")
# overrides of allauth's informal German, kept in de/allauth_formal.po (makemessages
# --no-obsolete would drop them) and merged back in here.
LOCALE := oglabs/locale
messages: install
	cd oglabs && ../$(PY) ../manage.py makemessages -l en -l de --no-obsolete \
	  --ignore='static/*' --ignore='transparency/schemas/*'
	msgcat --use-first -o $(LOCALE)/de/LC_MESSAGES/django.po \
	  $(LOCALE)/de/LC_MESSAGES/django.po $(LOCALE)/de/allauth_formal.po
	@msgfmt --statistics -o /dev/null $(LOCALE)/en/LC_MESSAGES/django.po
	cd oglabs && ../$(PY) ../manage.py compilemessages -l en -l de

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
