#!/usr/bin/env python3
"""E999 against CPython's compiler: the files rulegate reports as E999 must
be exactly the files `compile()` rejects, on a corpus.

    python3 scripts/e999_vs_compile.py RULEGATE CORPUS [--allow FILE]

Each `*.py` file rulegate checks (it honours the default excludes) is
compiled from its bytes by this interpreter with
`compile(source, path, "exec", dont_inherit=True)`, so a `# coding:`
declaration is read as CPython reads it. Files rulegate cannot read as
UTF-8 (E902) are left out: rulegate never parses them. `--allow FILE`
lists paths (one a line, relative to the corpus, `#` comments) whose
disagreement is known and documented; every other disagreement, either
way, fails. Exit 1 on any unexplained disagreement.
"""

import json
import os
import subprocess
import sys
import warnings


def main():
    args = sys.argv[1:]
    allow = set()
    if "--allow" in args:
        i = args.index("--allow")
        with open(args[i + 1], encoding="utf-8") as f:
            allow = {l.split("#")[0].strip() for l in f} - {""}
        del args[i : i + 2]
    rulegate, corpus = os.path.abspath(args[0]), os.path.abspath(args[1])
    files = subprocess.run(
        [rulegate, "lint", "--no-cache", "--show-files", "."],
        cwd=corpus, capture_output=True, text=True)
    if files.returncode != 0:
        sys.exit(f"rulegate --show-files failed ({files.returncode}):\n{files.stderr}")
    paths = [p.strip() for p in files.stdout.splitlines() if p.strip().endswith(".py")]
    run = subprocess.run(
        [rulegate, "lint", "--no-cache", "--exit-zero", "--select", "E999,E902",
         "--format", "json", "."],
        cwd=corpus, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"rulegate failed ({run.returncode}):\n{run.stderr}")
    findings = json.loads(run.stdout)
    e999 = {f["path"]: f["message"] for f in findings if f["rule"] == "E999"}
    unreadable = {f["path"] for f in findings if f["rule"] == "E902"}
    rejected = {}
    warnings.simplefilter("ignore")  # invalid escapes warn; they compile
    for rel in paths:
        rel = os.path.relpath(os.path.join(corpus, rel), corpus).replace(os.sep, "/")
        if rel in unreadable:
            continue
        with open(os.path.join(corpus, rel), "rb") as f:
            source = f.read()
        try:
            compile(source, rel, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            rejected[rel] = f"{type(e).__name__}: {e}"
        except RecursionError:
            rejected[rel] = "RecursionError"
    missed = sorted(set(rejected) - set(e999) - unreadable)
    extra = sorted(set(e999) - set(rejected))
    bad = 0
    for rel in missed:
        known = rel in allow
        bad += not known
        print(f"  {'known' if known else 'MISSED'}: {rel}: compile(): {rejected[rel]}")
    for rel in extra:
        known = rel in allow
        bad += not known
        print(f"  {'known' if known else 'EXTRA'}: {rel}: rulegate: {e999[rel]}")
    print(f"E999 on {corpus}: {len(paths)} file(s), compile() rejects {len(rejected)}, "
          f"rulegate reports {len(e999)}; {len(missed)} missed, {len(extra)} extra, "
          f"{len(missed) + len(extra) - bad} of them known")
    sys.exit(1 if bad else 0)


main()
