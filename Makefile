# Two commands do everything on a fresh machine (see README "Quick start"):
#   make demo   — set up, then run the simulated Niger picture at http://127.0.0.1:8080
#   make test   — set up (with test tools: headless Chromium, nats-server), then run the whole test suite
.PHONY: setup setup-test demo test lint bench web

setup:
	bash scripts/setup.sh

setup-test: setup
	bash scripts/setup-test.sh

demo: setup
	uv run airpicture demo

test: setup-test
	uv run ruff check src tests benchmarks
	uv run ruff format --check src tests benchmarks
	uv run pytest

lint:
	uv run ruff check src tests benchmarks
	uv run ruff format --check src tests benchmarks

# Rebuild the display's vendored base map (Natural Earth via npm world-atlas) into the Python package.
web:
	cd web && npm ci --no-audit --no-fund && npm run build
