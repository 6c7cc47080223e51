#!/usr/bin/env python3
"""STUB003 against CPython's import system: every module rulegate says is
missing must be one CPython cannot find either. For each finding on a
corpus, `importlib.util.find_spec(missing)` runs in a fresh interpreter
with the corpus first on `sys.path`; a spec found is a false finding.

    python3 scripts/stub003_vs_cpython.py RULEGATE CORPUS

Exit 1 on any false finding.
"""

import json
import os
import subprocess
import sys

rulegate, corpus = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
run = subprocess.run(
    [rulegate, "lint", "--no-cache", "--exit-zero", "--select", "STUB003", "--format", "json", "."],
    cwd=corpus, capture_output=True, text=True)
if run.returncode != 0:
    sys.exit(f"rulegate failed ({run.returncode}):\n{run.stderr}")
findings = json.loads(run.stdout)
PROBE = """
import importlib.util, sys
sys.path.insert(0, sys.argv[1])
try:
    spec = importlib.util.find_spec(sys.argv[2])
except Exception as e:  # a parent that fails to import: CPython fails too
    print("fails:", type(e).__name__)
else:
    print("found" if spec else "missing")
"""
false = []
for f in findings:
    missing = f["message"].split("`")[1]
    verdict = subprocess.run([sys.executable, "-c", PROBE, corpus, missing],
                             capture_output=True, text=True, cwd=corpus).stdout.strip()
    print(f"  {f['path']}:{f['line']}: `{missing}`: CPython: {verdict}")
    if verdict == "found":
        false.append(f)
print(f"STUB003 on {corpus}: {len(findings)} finding(s), {len(false)} that CPython's import finds")
sys.exit(1 if false else 0)
