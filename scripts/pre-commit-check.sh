#!/usr/bin/env bash
# Integration check: the real pre-commit (from PyPI, in a throwaway venv)
# installs rulegate from this repository's .pre-commit-hooks.yaml, fails a
# commit with an E402 violation, and passes once the file is fixed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pre-commit==4.7.0
export PATH="$work/venv/bin:$PATH" PRE_COMMIT_HOME="$work/pre-commit-home"
rev=$(git -C "$here" rev-parse HEAD)

mkdir "$work/project" && cd "$work/project"
git init -q && git config user.email ci@example.invalid && git config user.name ci
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $here
    rev: $rev
    hooks:
      - id: rulegate
YAML
printf 'import os\nprint(os.name)\nimport sys\n' > bad.py
git add .pre-commit-config.yaml bad.py
if pre-commit run --files bad.py > "$work/first.txt" 2>&1; then
  cat "$work/first.txt"; echo "FAIL: the hook passed a file with an E402 violation"; exit 1
fi
grep -q "E402" "$work/first.txt" || { cat "$work/first.txt"; echo "FAIL: no E402 in the hook's output"; exit 1; }
printf 'import os\nimport sys\n\nprint(os.name, sys.platform)\n' > bad.py
git add bad.py
pre-commit run --files bad.py > "$work/second.txt" 2>&1 || { cat "$work/second.txt"; echo "FAIL: the hook failed a clean file"; exit 1; }
echo "pre-commit: the hook fails on E402 and passes once fixed"
