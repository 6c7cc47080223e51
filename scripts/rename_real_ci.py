#!/usr/bin/env python3
"""`rulegate rename --apply` on a real project, for CI (issue 33).

idna 3.10's sdist (from PyPI) ships its unittest suite. Two symbols are
renamed, each in a fresh copy, without and with `--alias`: the class
`idna.core.IDNAError` (raised and subclassed in core, imported by the
codec, re-exported by `idna/__init__.py` through `from .core import (...)`
and `__all__`, asserted by the tests as `idna.IDNAError`) and the
function `idna.core.valid_label_length` (called in core, re-exported,
tested as `idna.valid_label_length`). The suite passes before and after
each rename; with `--alias`, the old names still import from the module and
its re-exporting package, each access warning with a DeprecationWarning.

    scripts/rename_real_ci.py RULEGATE

Lean on purpose: one small sdist, stdlib unittest only, a throwaway venv.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

REQ, FOLDER = "idna==3.10", "idna-3.10"
TEST = ["-m", "unittest", "discover", "-s", "tests", "-t", "."]
RENAMES = [
    ("idna.core.IDNAError", "IdnaError"),
    ("idna.core.valid_label_length", "is_valid_label_length"),
]


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promote_real_ci  # noqa: E402 -- the sibling script's helpers, found through the line above


def run(cmd, cwd):
    return promote_real_ci.run(cmd, cwd, dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))


def suite(python, cwd):
    return promote_real_ci.suite(python, cwd, TEST)


def alias_probe(target, new):
    module, old = target.rsplit(".", 1)
    package = module.split(".")[0]
    return f"""
import importlib, warnings
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    m = importlib.import_module({module!r})
    p = importlib.import_module({package!r})
    assert getattr(m, {old!r}) is getattr(m, {new!r})
    assert getattr(p, {old!r}) is getattr(m, {new!r})
    from {module} import {old}
assert {old!r} not in dir(m), "the alias binds nothing"
assert len(w) >= 3 and all(x.category is DeprecationWarning for x in w), [str(x.message) for x in w]
"""


def main():
    rulegate = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="rename-real-")
    started = time.time()
    failures, passed = [], 0
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", f"{work}/venv"], check=True)
        python = f"{work}/venv/bin/python"
        code, log = run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
             "--no-binary", ":all:", "-d", f"{work}/sdists", REQ],
            work,
        )
        if code != 0:
            print(log)
            return 2
        for f in os.listdir(f"{work}/sdists"):
            with tarfile.open(f"{work}/sdists/{f}") as t:
                t.extractall(f"{work}/src", filter="data")
        orig = f"{work}/src/{FOLDER}"
        ok, said = suite(python, orig)
        print(f"idna: before: {'pass' if ok else 'FAIL'} ({said})")
        if not ok:
            print("FAILED: the suite fails before any rename")
            return 1
        for target, new in RENAMES:
            for alias in (False, True):
                label = f"{target} -> {new}{' --alias' if alias else ''}"
                copy = f"{work}/{new}{'-alias' if alias else ''}"
                shutil.copytree(orig, copy)
                args = [rulegate, "rename", target, "--to", new, "--apply"]
                code, log = run(args + (["--alias"] if alias else []), copy)
                if code != 0:
                    failures.append(f"{label}: rulegate exited {code}: {log.strip()}")
                    continue
                grep = subprocess.run(
                    ["grep", "-rlw", "--include=*.py", target.rsplit(".", 1)[1], "idna", "tests"],
                    cwd=copy, capture_output=True, text=True,
                ).stdout.split()
                # With --alias, the module and its re-exporting package hold
                # the old name in their `__getattr__` alias, nowhere else.
                aliased = ("idna/core.py", "idna/__init__.py") if alias else ()
                left = [g for g in grep if g not in aliased]
                if left:
                    failures.append(f"{label}: the old name is left in {left}")
                    continue
                ok, said = suite(python, copy)
                print(f"{label}: {log.strip()} Suite after: {'pass' if ok else 'FAIL'} ({said})")
                if not ok:
                    failures.append(f"{label}: the suite fails after the rename")
                    continue
                if alias:
                    code, log = run([python, "-c", alias_probe(target, new)], copy)
                    if code != 0:
                        failures.append(f"{label}: the old name does not alias: {log}")
                        continue
                passed += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"rename on a real project took {time.time() - started:.0f} s")
    for f in failures:
        print(f"FAILED: {f}")
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
