# One toolchain for developers, pre-commit and CI.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck bench clean

install: $(STAMP)

# torch is installed first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: install
	$(PY) app.py

lint: install
	$(PY) -m ruff check studio tests benchmarks app.py

typecheck: install
	$(PY) -m mypy studio

test: install lint typecheck
	$(PY) -m pytest -q

bench: install
	$(PY) benchmarks/overhead.py
	$(PY) benchmarks/motion.py
	$(PY) benchmarks/keyframes.py
	$(PY) benchmarks/keyframe_fill.py
	$(PY) benchmarks/prompts.py
	$(PY) benchmarks/gpu.py
	$(PY) benchmarks/gpu_long.py
	$(PY) benchmarks/estimate.py
	$(PY) benchmarks/cache.py
	$(PY) benchmarks/audio_export.py
	$(PY) benchmarks/load.py
	$(PY) benchmarks/provenance.py
	$(PY) benchmarks/models.py
	$(PY) benchmarks/scale.py
	$(PY) benchmarks/segments.py
	$(PY) benchmarks/parallel_jobs.py --cpu

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
