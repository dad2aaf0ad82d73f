# The two set-up commands are `make demo` and `make test`; everything else is a helper.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint graph services clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)），可用 make PYTHON=python3 指定"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## Run web + Celery worker + beat on SQLite and a filesystem broker (nothing else needed).
demo: install
	$(BIN)/python manage.py rundemo

## Run the whole test suite against PostgreSQL and Redis on 127.0.0.1 (started if down).
test: install services
	@$(BIN)/pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

services:
	@bash .ci/services
	@bash .ci/browser

lint: install
	$(BIN)/ruff check .

## Draw the ticket lifecycle (Graphviz dot on stdout; add -o file.png if `dot` is installed).
graph: install
	$(BIN)/python manage.py graph_transitions tickets.Ticket

clean:
	rm -rf var $(VENV)
