#!/usr/bin/env bash
# Integration check: the real pre-commit (from PyPI, in a throwaway venv)
# runs rulegate as the README's local system hook and as this repository's
# .pre-commit-hooks.yaml hook (built from source); each fails a
# commit with an E402 violation, and passes once the file is fixed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pre-commit==4.7.0
export PATH="$work/venv/bin:$PATH" PRE_COMMIT_HOME="$work/pre-commit-home"
rev=$(git -C "$here" rev-parse HEAD)

# check_hook NAME: in a fresh repository whose .pre-commit-config.yaml is on
# stdin, the hook fails a commit with an E402 violation and passes once fixed.
check_hook() {
  local name=$1 dir="$work/$1"
  mkdir "$dir" && cd "$dir"
  git init -q && git config user.email ci@example.invalid && git config user.name ci
  cat > .pre-commit-config.yaml
  printf 'import os\nprint(os.name)\nimport sys\n' > bad.py
  git add .pre-commit-config.yaml bad.py
  if pre-commit run --files bad.py > "$work/first.txt" 2>&1; then
    cat "$work/first.txt"; echo "FAIL ($name): the hook passed a file with an E402 violation"; exit 1
  fi
  grep -q "E402" "$work/first.txt" || { cat "$work/first.txt"; echo "FAIL ($name): no E402 in the hook's output"; exit 1; }
  printf 'import os\nimport sys\n\nprint(os.name, sys.platform)\n' > bad.py
  git add bad.py
  pre-commit run --files bad.py > "$work/second.txt" 2>&1 || { cat "$work/second.txt"; echo "FAIL ($name): the hook failed a clean file"; exit 1; }
  echo "pre-commit ($name): the hook fails on E402 and passes once fixed"
}

# The fast path of the README: rulegate already installed (here the release
# build on PATH), called as a local `language: system` hook.
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
PATH="$here/target/release:$PATH" check_hook system <<YAML
repos:
  - repo: local
    hooks:
      - id: rulegate
        name: rulegate
        entry: rulegate lint --force-exclude
        language: system
        types_or: [python, pyi]
        require_serial: true
YAML

# From source: pre-commit builds the hook of this repository with cargo.
check_hook source <<YAML
repos:
  - repo: $here
    rev: $rev
    hooks:
      - id: rulegate
YAML
