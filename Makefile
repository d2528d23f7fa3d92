.PHONY: run test lint bench

run:  ## set up and start the platform with demo data at http://127.0.0.1:8000
	bash scripts/run.sh

test:  ## set up and run the whole test suite
	bash scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/mypy qualityweek
