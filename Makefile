# Convenience wrappers; everything works without make via `python3 tasks.py …`.
.PHONY: reports test bench browser-deps lint
reports:
	python3 tasks.py reports
test:
	python3 tasks.py test
bench:
	python3 tasks.py bench
browser-deps:
	python3 tasks.py browser-deps
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/nbstripout --verify notebooks/*.ipynb
