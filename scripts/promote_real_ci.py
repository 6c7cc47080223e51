#!/usr/bin/env python3
"""`rulegate promote --apply` on real projects, for CI (issue 29).

Three small pure-Python projects whose sdists (from PyPI) ship their test
suites: idna, more-itertools and tornado. Tornado imports by dotted name
(`tornado.util.import_object("tornado.escape.utf8")`), and more-itertools
loads doctests by name (`DocTestSuite("more_itertools.recipes")`): the CI
pack lists both helpers in `module_string_calls`, so their strings are
rewritten. For every move the suite runs before it, after `--apply`, and
after `--apply --shim` in a fresh copy (where the old path must still
import, as the very module the new path names).

Strings that name the module outside import and patch calls are not
rewritten: the gate lists them as "needs review". A move may name the
places a reviewer would change (REVIEWED: `path:line` after the move, such
as tornado's tests that run `python -c "from tornado.platform.asyncio
import ..."`): each must be in the gate's review list (so the list is what
a reviewer needs), and after `--apply` the script makes that change (the
old dotted name becomes the new one on that line) before the suite runs.
Under `--shim` the old names still import, so nothing is changed.

    scripts/promote_real_ci.py RULEGATE [--known]

The suites run in a throwaway venv (stdlib unittest only, nothing to
install); the sdists are fetched with pip. Tornado's whole suite takes over
a minute and has timing-sensitive network tests, so its run is the test
modules of the code it touches (listed in TORNADO_TESTS).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

TORNADO_TESTS = [
    "tornado.test.util_test",
    "tornado.test.escape_test",
    "tornado.test.import_test",
    "tornado.test.template_test",
    "tornado.test.httputil_test",
    "tornado.test.locale_test",
    "tornado.test.options_test",
]
# The platform package's tests, for its move.
TORNADO_PLATFORM_TESTS = [
    "tornado.test.asyncio_test",
    "tornado.test.ioloop_test",
    "tornado.test.netutil_test",
]

UNITTEST = ["-m", "unittest", "discover", "-s", "tests", "-t", "."]
TORNADO = ["-m", "tornado.test.runtests", *TORNADO_TESTS]

# (name, requirement, sdist folder, test command, moves), each move
# (SRC, DST, REVIEWED). more-itertools' whole suite takes most of a minute
# here; its recipes' tests are the ones of the moved module.
PROJECTS = [
    ("idna", "idna==3.10", "idna-3.10", UNITTEST, [("idna.intranges", "idna.ranges", [])]),
    # A top-level package: `import idna` and every `idna.x` use follow it.
    ("idna", "idna==3.10", "idna-3.10", UNITTEST, [("idna", "idnakit", [])]),
    (
        "more-itertools",
        "more-itertools==10.8.0",
        "more_itertools-10.8.0",
        ["-m", "unittest", "tests.test_recipes"],
        [("more_itertools.recipes", "more_itertools.recipe_tools", [])],
    ),
    (
        "tornado",
        "tornado==6.5.2",
        "tornado-6.5.2",
        TORNADO,
        [("tornado.escape", "tornado.escaping", [])],  # dotted strings in import_object
    ),
    # ioloop_test runs `python -c` on code held in strings that name the
    # platform package: listed in the gate, changed by the reviewer.
    (
        "tornado",
        "tornado==6.5.2",
        "tornado-6.5.2",
        [*TORNADO, *TORNADO_PLATFORM_TESTS],
        [
            (
                "tornado.platform",
                "tornado.platforms",
                ["tornado/test/ioloop_test.py:794", "tornado/test/ioloop_test.py:804"],
            )
        ],
    ),
]

# Moves that fail their suite today because of a reference rewrite (issue
# 29's "behaviour kept" bullets): run with --known, reported, never failing.
# None today: tornado.platform and idna -> idnakit pass and are in PROJECTS.
KNOWN = []

CONFIG = 'packs = ["ci-pack.toml"]\n'
PACK = """[pack]
name = "ci"
[[rule]]
id = "CI001"
severity = "info"
message = "lanes"
analyzer = "imports"
options.check = "lanes"
options.module_string_calls = [
    "unittest.mock.patch", "mock.patch", "patch",
    "tornado.util.import_object", "import_object",
    "doctest.DocTestSuite", "DocTestSuite",
]
"""


def run(cmd, cwd, env=None):
    out = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return out.returncode, out.stdout + out.stderr


def suite(python, cwd, test):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    code, log = run([python, *test], cwd, env)
    tail = [l for l in log.splitlines() if l.startswith(("Ran ", "OK", "FAILED"))]
    return code == 0, " / ".join(tail) or log[-2000:]


def review_list(rulegate, copy, src, dst):
    """The gate's "needs review" places, as `path:line`."""
    code, out = run([rulegate, "promote", src, "--to", dst, "--format", "json"], copy)
    if code not in (0, 1):
        return None, out
    return {f"{r['path']}:{r['line']}" for r in json.loads(out)["review"]}, ""


def apply_review(copy, src, dst, reviewed):
    """The reviewer's change: SRC's dotted name becomes DST's on each line."""
    pattern = re.compile(r"(?<![\w.])" + re.escape(src) + r"(?!\w)")
    for place in reviewed:
        path, line = place.rsplit(":", 1)
        with open(f"{copy}/{path}") as f:
            lines = f.readlines()
        lines[int(line) - 1] = pattern.sub(dst, lines[int(line) - 1])
        with open(f"{copy}/{path}", "w") as f:
            f.writelines(lines)


def main():
    rulegate = os.path.abspath(sys.argv[1])
    known = "--known" in sys.argv[2:]
    projects = KNOWN if known else PROJECTS
    if not projects:
        print("no known failing move")
        return 0
    work = tempfile.mkdtemp(prefix="promote-real-")
    started = time.time()
    failures = []
    passed = 0
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", f"{work}/venv"], check=True)
        python = f"{work}/venv/bin/python"
        reqs = sorted({p[1] for p in projects})
        code, log = run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
             "--no-binary", ":all:", "-d", f"{work}/sdists", *reqs],
            work,
        )
        if code != 0:
            print(log)
            return 2
        for f in os.listdir(f"{work}/sdists"):
            with tarfile.open(f"{work}/sdists/{f}") as t:
                t.extractall(f"{work}/src", filter="data")
        print(f"fetched {', '.join(reqs)} in {time.time() - started:.0f} s")
        for name, _, folder, test, moves in projects:
            orig = f"{work}/src/{folder}"
            with open(f"{orig}/rulegate.toml", "w") as f:
                f.write(CONFIG)
            with open(f"{orig}/ci-pack.toml", "w") as f:
                f.write(PACK)
            ok, said = suite(python, orig, test)
            print(f"{name}: before: {'pass' if ok else 'FAIL'} ({said})")
            if not ok:
                failures.append(f"{name}: the suite fails before any move")
                continue
            for src, dst, reviewed in moves:
                for shim in (False, True):
                    label = f"{name}: {src} -> {dst}{' --shim' if shim else ''}"
                    copy = f"{work}/{name}-{dst}{'-shim' if shim else ''}"
                    shutil.copytree(orig, copy)
                    listed, err = review_list(rulegate, copy, src, dst)
                    if listed is None:
                        failures.append(f"{label}: the gate failed: {err.strip()}")
                        continue
                    unlisted = sorted(set(reviewed) - listed)
                    if unlisted:
                        failures.append(f"{label}: not in the gate's review list: {unlisted}")
                        continue
                    args = [rulegate, "promote", src, "--to", dst, "--apply"]
                    code, log = run(args + (["--shim"] if shim else []), copy)
                    if code != 0:
                        failures.append(f"{label}: rulegate exited {code}: {log.strip()}")
                        print(f"{label}: rulegate exited {code}\n{log}")
                        continue
                    if not shim and reviewed:
                        apply_review(copy, src, dst, reviewed)
                        log = log.strip() + f" Reviewed by hand: {len(reviewed)} of {len(listed)} listed place(s)."
                    ok, said = suite(python, copy, test)
                    print(f"{label}: {log.strip()} Suite after: {'pass' if ok else 'FAIL'} ({said})")
                    if not ok:
                        failures.append(f"{label}: the suite fails after the move")
                        continue
                    if shim:
                        probe = (
                            "import warnings; warnings.simplefilter('ignore')\n"
                            f"import importlib, sys\nold = importlib.import_module({src!r})\n"
                            f"new = importlib.import_module({dst!r})\nassert old is new\n"
                        )
                        code, log = run([python, "-c", probe], copy)
                        if code != 0:
                            failures.append(f"{label}: the old path does not alias: {log}")
                            continue
                    passed += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"promotion on real projects took {time.time() - started:.0f} s")
    for f in failures:
        print(f"FAILED: {f}")
    print(f"{passed} passed, {len(failures)} failed")
    if known:
        return 0  # a report for the reference rewrites, not a gate
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
