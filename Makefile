# Two commands: `make run` (demo city on http://127.0.0.1:8000) and `make test` (the whole suite).
PORT ?= 8000
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint typecheck format deps messages clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

deps: .venv/.synced

run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving http://127.0.0.1:$(PORT)/  (Ctrl+C stops the server and the worker)"
	@$(PY) manage.py db_worker --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) -m gunicorn gonghui.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile -

test: deps
	$(PY) -m pytest -n auto --dist loadfile -q $(PYTEST_ARGS)

lint: deps
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .

typecheck: deps
	.venv/bin/mypy gonghui

format: deps
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Needs GNU gettext (apt-get install gettext); the compiled catalogues are committed.
messages: deps
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=.tools
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools

clean:
	rm -rf .venv .tools var
