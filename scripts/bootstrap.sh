#!/usr/bin/env bash
# Creates .venv and installs crossdock with its pinned dependencies on first use, and again
# whenever pyproject.toml or the lock (scripts/constraints.txt) changes. Sourced by
# scripts/crossdock, scripts/test and scripts/lint.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.crossdock-installed"
PYTHON="${CROSSDOCK_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# pip's output goes to a log; it is shown only when an install fails.
quiet_install() {
  local log="$1"; shift
  if ! "$@" >"$log" 2>&1; then
    echo "crossdock: installation failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 2
  fi
}

# `crossdock diagram` renders with Graphviz's `dot` (Debian package graphviz); a fresh machine gets it here
# when apt is there and we may use it. Without it, `diagram` still writes .dot files and says what to install.
if ! command -v dot >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "crossdock: installing Graphviz (dot) for crossdock diagram..." >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; } >/tmp/crossdock-graphviz-install.log 2>&1; then
    echo "crossdock: could not install graphviz (see /tmp/crossdock-graphviz-install.log); diagrams need it for .svg/.png" >&2
  fi
fi

LOCK="$ROOT/scripts/constraints.txt"
want="$(cat "$ROOT/pyproject.toml" "$LOCK" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "crossdock: setting up $VENV (first run or dependencies changed)..." >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  quiet_install "$VENV/install.log" "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip
  quiet_install "$VENV/install.log" "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$ROOT[test]" -c "$LOCK"
  echo "$want" > "$STAMP"
fi

# checkov gets its own venv: checkov 3.3 pins packaging<24, pulumi needs packaging>=26.
# The pin lives in crossdock/checkov/requirements.txt (+ constraints.txt); crossdock runs
# .venv-checkov/bin/checkov as a program. Reinstalled only when those files change.
CHECKOV_VENV="$ROOT/.venv-checkov"
CHECKOV_STAMP="$CHECKOV_VENV/.crossdock-installed"
CHECKOV_PIN="$ROOT/crossdock/checkov/requirements.txt"
CHECKOV_CONSTRAINTS="$ROOT/crossdock/checkov/constraints.txt"
checkov_want="$(cat "$CHECKOV_PIN" "$CHECKOV_CONSTRAINTS" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$CHECKOV_VENV/bin/checkov" ] || [ "$(cat "$CHECKOV_STAMP" 2>/dev/null)" != "$checkov_want" ]; then
  echo "crossdock: setting up $CHECKOV_VENV (checkov, pinned in crossdock/checkov/requirements.txt)..." >&2
  [ -x "$CHECKOV_VENV/bin/python" ] || "$PYTHON" -m venv "$CHECKOV_VENV"
  quiet_install "$CHECKOV_VENV/install.log" "$CHECKOV_VENV/bin/python" -m pip install --disable-pip-version-check \
    -r "$CHECKOV_PIN" -c "$CHECKOV_CONSTRAINTS"
  echo "$checkov_want" > "$CHECKOV_STAMP"
fi
