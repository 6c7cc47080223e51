#!/usr/bin/env python3
"""STUB003 and STUB001 against CPython's import system, on a corpus.

STUB003: every module rulegate says is missing must be one CPython cannot
find either. For each finding, `importlib.util.find_spec(missing)` runs in a
fresh interpreter with the corpus first on `sys.path`; a spec found is a
false finding.

STUB001: every "cannot import name N from M" must be one CPython hits too.
For each module M with findings, a fresh interpreter (corpus first on
`sys.path`) imports M and, for each N, checks `hasattr(M, N)`, else runs
`from M import N`; either succeeding is a false finding. A module that fails
to import in CPython (a platform-only module) is no false finding: pytest
would fail on it too.

    python3 scripts/stub003_vs_cpython.py RULEGATE CORPUS [RULES]

RULES is a comma-separated subset of STUB003,STUB001 (default STUB003).
Exit 1 on any false finding.
"""

import json
import os
import subprocess
import sys
from collections import defaultdict

rulegate, corpus = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
rules = (sys.argv[3] if len(sys.argv) > 3 else "STUB003").split(",")
unknown = set(rules) - {"STUB003", "STUB001"}
if unknown:
    sys.exit(f"unknown rule(s): {', '.join(sorted(unknown))}")
run = subprocess.run(
    [rulegate, "lint", "--no-cache", "--exit-zero", "--select", ",".join(rules),
     "--format", "json", "."],
    cwd=corpus, capture_output=True, text=True)
if run.returncode != 0:
    sys.exit(f"rulegate failed ({run.returncode}):\n{run.stderr}")
findings = json.loads(run.stdout)


def probe(code, *args):
    """Runs `code` in a fresh interpreter in the corpus; its last line."""
    try:
        out = subprocess.run([sys.executable, "-c", code, corpus, *args],
                             capture_output=True, text=True, cwd=corpus,
                             timeout=60, stdin=subprocess.DEVNULL).stdout
    except subprocess.TimeoutExpired:
        return "fails: timeout"
    lines = out.strip().splitlines()
    return lines[-1] if lines else "fails: no answer"


FIND_SPEC = """
import importlib.util, sys
sys.path.insert(0, sys.argv[1])
try:
    spec = importlib.util.find_spec(sys.argv[2])
except Exception as e:  # a parent that fails to import: CPython fails too
    print("fails:", type(e).__name__)
else:
    print("found" if spec else "missing")
"""

# One line of answers, one per name, after whatever the module prints.
IMPORT_NAMES = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
try:
    m = importlib.import_module(sys.argv[2])
except BaseException as e:
    print(json.dumps({n: "fails: " + type(e).__name__ for n in sys.argv[3:]}))
    raise SystemExit
answers = {}
for n in sys.argv[3:]:
    if hasattr(m, n):
        answers[n] = "found"
        continue
    try:
        exec(f"from {sys.argv[2]} import {n}", {})
    except BaseException as e:
        answers[n] = "missing"
    else:
        answers[n] = "found"
print(json.dumps(answers))
"""

false = []
stub003 = [f for f in findings if f["rule"] == "STUB003"]
for f in stub003:
    missing = f["message"].split("`")[1]
    verdict = probe(FIND_SPEC, missing)
    print(f"  {f['path']}:{f['line']}: `{missing}`: CPython: {verdict}")
    if verdict == "found":
        false.append(f)

# STUB001's message: "cannot import name `N` from `M` (...)".
by_module = defaultdict(list)
for f in findings:
    if f["rule"] == "STUB001":
        parts = f["message"].split("`")
        by_module[parts[3]].append((parts[1], f))
for module, names in sorted(by_module.items()):
    answer = probe(IMPORT_NAMES, module, *sorted({n for n, _ in names}))
    try:
        verdicts = json.loads(answer)
    except ValueError:
        verdicts = {}
    for name, f in names:
        verdict = verdicts.get(name, f"fails: {answer[:60]}")
        print(f"  {f['path']}:{f['line']}: `{name}` from `{module}`: CPython: {verdict}")
        if verdict == "found":
            false.append(f)

for rule in rules:
    n = sum(1 for f in findings if f["rule"] == rule)
    bad = sum(1 for f in false if f["rule"] == rule)
    print(f"{rule} on {corpus}: {n} finding(s), {bad} that CPython's import contradicts")
sys.exit(1 if false else 0)
