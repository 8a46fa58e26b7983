#!/usr/bin/env bash
# Creates .venv and installs coalition-kg with its test dependencies.  Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
# torch first, pinned: on these machines 2.13.0 is a CPU build on local disk; an unpinned torch
# pulled in by stanza would be a multi-GB CUDA download
.venv/bin/python -c "import torch" 2>/dev/null || .venv/bin/pip install -q "torch==2.13.0" 2>&1 | grep -v "is ignored" || true
.venv/bin/pip install -q -e ".[dev]" 2>&1 | grep -v "is ignored" || true
.venv/bin/python -c "import coalition_kg, stanza, torch; print('coalition-kg ready: torch', torch.__version__, '| stanza', stanza.__version__)"
