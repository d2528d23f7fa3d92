.PHONY: run test lint bench cluster cluster-stop

run:  ## set up and start the platform with demo data at http://127.0.0.1:8000
	bash scripts/run.sh

test:  ## set up and run the whole test suite
	bash scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/mypy qualityweek

cluster:  ## the production layout on one machine: 2 app nodes, 2 job workers, nginx, object store (docs/operations.md)
	bash scripts/cluster.sh

cluster-stop:
	bash scripts/cluster.sh stop
