# Two commands for a fresh machine: `make run` and `make test`. Python 3.11+ only.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DEBUG ?= true

.PHONY: run test install migrate demo lint check format bench clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py assess_assets
	$(BIN)/python manage.py seed_demo_users

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# axe-core, which the browser tests inject to check accessibility, at package-lock.json's version.
# Without npm the browser tests skip that check locally (CI=true makes it a failure instead).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: browser tests will skip their axe-core checks"; fi

test: install $(AXE)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What CI checks before the tests: style, formatting, models against migrations, Django's checks.
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/allocation.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules
