#!/usr/bin/env python3
"""Stdlib hoist oracle: E402's unsafe fix keeps what each module does on
import (SPEC 3.2 and 4.9), on a copy of the machine's Python standard
library.

    python3 scripts/hoist_oracle.py RULEGATE [STDLIB]

1. The `.py` files of STDLIB (default: this interpreter's, without
   site-packages) are copied twice, to `before/` and `after/`.
2. `rulegate lint --select E402 --unsafe-fixes` reports the findings: the
   moves (findings that are neither refused nor left) are printed next to
   the refusals counted by kind (`--statistics`). Then `--fix
   --unsafe-fixes` rewrites `after/`: the findings left must be exactly
   the refused ones, each with its `fix_refused.reason`.
3. Every file the fix changed and CPython compiled before still compiles.
4. Every module the fix changed is imported in a fresh interpreter (one
   subprocess per module, with a timeout) that loads the copy instead of
   the installed library (`-I -S -B -X frozen_modules=off`, the copy first
   on `sys.path`), once from `before/` and once from `after/`. A module
   that imported before must import after, from the copy, and expose the
   same public names (`__all__`, else the names of `dir()` without a
   leading underscore) bound to values of the same types, and the same
   values where they are plain constants (numbers, strings, `None`, and
   tuples of them; the copy's path read as one, and a value that differs
   between two imports before the fix, such as a process id, by type).
   Not checked, each with the reason: modules the interpreter loads at
   start-up (they come from the installed library whatever the path
   says), modules that act on import (`antigravity`, `this`, `idlelib`,
   `turtledemo`, a package's `__main__`, ...), and modules that did not
   import before (another platform's, a missing C extension).
5. A canary: a module planted in the copy and changed by this script
   (not by rulegate) must be reported as changed, so a probe that cannot
   see a change (wrong interpreter flags, the installed library loaded
   instead of the copy) fails the oracle instead of passing it.

Prints its counts; exit 1 on any changed behaviour, any file that no
longer compiles, or a canary the probe did not catch. Fewer moves is
fine; a changed behaviour is not.
"""

import collections
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings

# The flags of the probing interpreter: isolated (no PYTHON* variables, no
# user site, no script folder on the path), no `site` (fewer modules
# loaded at start-up), no bytecode written into the copy, and the stdlib's
# frozen modules read from the path (so from the copy).
PY_FLAGS = ["-I", "-S", "-B", "-X", "frozen_modules=off"]
TIMEOUT = 30

# Modules that act when imported, by name or package prefix: importing them
# is not a check of anything, and may open windows or run suites.
ACTS_ON_IMPORT = {
    "antigravity": "opens a web browser",
    "this": "prints the Zen of Python",
    "idlelib": "IDLE, a GUI (idlelib.idle starts it on import)",
    "turtledemo": "turtle graphics demos (a GUI)",
    "test.autotest": "runs the regression test suite on import",
    "test.regrtest": "the regression test runner",
    "lib2to3.tests.data": "2to3's test data, not modules",
    "test.test_lib2to3.data": "2to3's test data, not modules",
}

# Stdlib files the interpreter runs under another name at start-up.
STARTUP_ALIASES = {
    "importlib._bootstrap": "_frozen_importlib",
    "importlib._bootstrap_external": "_frozen_importlib_external",
}

# Run in the probing interpreter: import a module from the copy and print
# where it came from and its public names with the types of their values.
PROBE = r"""
import sys
# Nothing else is imported first: it would come from the installed library.
sys.path.insert(0, sys.argv[1])
try:
    __import__(sys.argv[2])
    m, error = sys.modules[sys.argv[2]], None
except BaseException as e:
    error = type(e).__name__ + ": " + str(e)[:200]
import json
if error:
    print(json.dumps({"error": error}))
    sys.exit(0)
public = getattr(m, "__all__", None)
if public is None:
    public = [n for n in dir(m) if not n.startswith("_")]
PLAIN = (bool, int, float, str, bytes, type(None))
def shown(v):
    # The type, and the value of plain constants (what import-time state,
    # such as a setting changed before an import, would change).
    t = type(v).__name__
    if isinstance(v, PLAIN) or (
        isinstance(v, (tuple, frozenset)) and all(isinstance(x, PLAIN) for x in v)
    ):
        r = repr(v if not isinstance(v, frozenset) else sorted(v, key=repr))
        return f"{t} {r}" if len(r) <= 200 else t
    return t
names = {}
for n in public:
    n = str(n)
    names[n] = shown(getattr(m, n)) if hasattr(m, n) else "<missing>"
print(json.dumps({"file": getattr(m, "__file__", None), "names": names}))
"""

CANARY = "hoist_oracle_canary"


def copy_stdlib(src, dst):
    """The `.py` files of src, without site-packages, into dst."""
    for d, dirs, files in os.walk(src):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        rel = os.path.relpath(d, src)
        for f in files:
            if f.endswith(".py"):
                os.makedirs(os.path.join(dst, rel), exist_ok=True)
                shutil.copy2(os.path.join(d, f), os.path.join(dst, rel, f))


def read_tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def module_name(rel):
    parts = rel[: -len(".py")].split(os.sep)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def acts_on_import(name):
    if name == "__main__" or name.endswith(".__main__"):
        return "runs its package's command line"
    for prefix, why in ACTS_ON_IMPORT.items():
        if name == prefix or name.startswith(prefix + "."):
            return why
    return None


def compiles(data, rel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, rel, "exec", dont_inherit=True)
            return True
        except Exception:
            return False


def rulegate(exe, cwd, *args):
    p = subprocess.run([exe, "lint", "--no-cache", "--exit-zero", "--select", "E402", *args, "."],
                       cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"rulegate {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def startup_modules(cwd):
    p = subprocess.run([sys.executable, *PY_FLAGS, "-c", "import sys; print('\\n'.join(sys.modules))"],
                       cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return set(p.stdout.split())


def probe(tree, name, cwd):
    """What importing `name` from `tree` gives: {"error"} or {"file", "names"}."""
    try:
        p = subprocess.run([sys.executable, *PY_FLAGS, "-c", PROBE, tree, name],
                           cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {TIMEOUT} s"}
    lines = p.stdout.strip().splitlines()
    try:
        out = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"exit {p.returncode}: {p.stderr.strip()[-200:]}"}
    # Values that hold the copy's path are the same module's either side.
    for n, v in out.get("names", {}).items():
        out["names"][n] = v.replace(tree, "<COPY>")
    return out


def compare(work, name):
    """(verdict, detail): "same", "changed" or "not checked"."""
    cwd = os.path.join(work, "cwd")
    before = probe(os.path.join(work, "before"), name, cwd)
    if "error" in before:
        return "not checked", f"did not import before ({before['error']})"
    if not (before.get("file") or "").startswith(os.path.join(work, "before") + os.sep):
        return "not checked", f"not loaded from the copy (from {before.get('file')})"
    # A second run before the fix: values that differ from run to run (a
    # process id, a time) are compared by type only.
    again = probe(os.path.join(work, "before"), name, cwd)
    for n, v in before["names"].items():
        if again.get("names", {}).get(n) != v:
            before["names"][n] = v.split(" ", 1)[0] + " <varies>"
    after = probe(os.path.join(work, "after"), name, cwd)
    if "error" in after:
        return "changed", f"imported before, fails after: {after['error']}"
    if not (after.get("file") or "").startswith(os.path.join(work, "after") + os.sep):
        return "changed", f"after the fix not loaded from the copy (from {after.get('file')})"
    b, a = before["names"], after["names"]
    for n, v in b.items():
        if v.endswith(" <varies>") and n in a:
            a[n] = a[n].split(" ", 1)[0] + " <varies>"
    if a != b:
        lost = sorted(set(b) - set(a))
        new = sorted(set(a) - set(b))
        differ = sorted(f"{n}: {b[n]} -> {a[n]}" for n in set(a) & set(b) if a[n] != b[n])
        return "changed", f"public names differ: lost {lost}, new {new}, changed {differ}"
    return "same", f"{len(b)} public names"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    exe = os.path.abspath(sys.argv[1])
    stdlib = sys.argv[2] if len(sys.argv) == 3 else sysconfig.get_paths()["stdlib"]
    failures = []
    with tempfile.TemporaryDirectory(prefix="hoist-oracle-") as work:
        work = os.path.realpath(work)
        before_dir, after_dir = os.path.join(work, "before"), os.path.join(work, "after")
        os.makedirs(os.path.join(work, "cwd"))
        copy_stdlib(stdlib, before_dir)
        # The canary: public names `a` and `b` before; this script drops `b`
        # from the copy after the fix.
        with open(os.path.join(before_dir, CANARY + ".py"), "w") as fh:
            fh.write("a = 1\nb = 2\n")
        shutil.copytree(before_dir, after_dir)

        # Two runs: the counts by kind, then the fix (whose JSON holds the
        # findings left, each of which must say why it was not moved).
        total, kinds = 0, collections.Counter()
        for line in rulegate(exe, after_dir, "--unsafe-fixes", "--statistics").splitlines():
            cols = [c.strip() for c in line.split("\t")]
            if len(cols) == 3 and cols[1] == "E402":
                if cols[2].startswith("fix refused:"):
                    kinds[cols[2].split(":", 1)[1].strip()] += int(cols[0])
                else:
                    total += int(cols[0])
        left = [f for f in json.loads(rulegate(exe, after_dir, "--fix", "--unsafe-fixes", "--format", "json"))
                if f["rule"] == "E402"]
        refused = sum(kinds.values())
        print(f"E402 on {stdlib}: {total} findings, {total - len(left)} moved, {refused} refused, {len(left)} left")
        for kind, n in kinds.most_common():
            print(f"  {n:>5} refused: {kind}")
        for f in left:
            if not f.get("fix_refused"):
                failures.append(f"{f['path']}:{f['line']}: E402 left after the fix, with no reason why")
        if refused != len(left):
            failures.append(f"{len(left)} E402 findings left after the fix, but {refused} were refused")

        with open(os.path.join(after_dir, CANARY + ".py"), "w") as fh:
            fh.write("a = 1\n")
        before, after = read_tree(before_dir), read_tree(after_dir)
        changed = sorted(p for p in after if after[p] != before.get(p))
        broken = [p for p in changed if compiles(before[p], p) and not compiles(after[p], p)]
        for p in broken:
            failures.append(f"{p}: compiled before the fix, not after")
        print(f"{len(changed) - 1} files changed by the fix, {len(broken)} no longer compile")

        startup = startup_modules(os.path.join(work, "cwd"))
        todo, skipped = [], []
        for rel in changed:
            name = module_name(rel)
            why = acts_on_import(name)
            if name in startup or STARTUP_ALIASES.get(name) in startup:
                skipped.append((name, "loaded at interpreter start-up, from the installed library"))
            elif why:
                skipped.append((name, f"acts on import: {why}"))
            else:
                todo.append(name)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = dict(zip(todo, pool.map(lambda n: compare(work, n), todo)))
        canary = results.pop(CANARY, None)
        if not canary or canary[0] != "changed":
            failures.append(f"the canary's change was not seen ({canary}): the probe does not load the copy")
        checked = 0
        for name, (verdict, detail) in sorted(results.items()):
            if verdict == "not checked":
                skipped.append((name, detail))
                continue
            checked += 1
            print(f"  {verdict:<8} {name}: {detail}")
            if verdict == "changed":
                failures.append(f"{name}: {detail}")
        for name, why in sorted(skipped):
            print(f"  not checked {name}: {why}")
        print(f"{checked} changed modules imported before and after, {len(skipped)} not checked")
    for f in failures:
        print(f"FAIL {f}")
    if failures:
        sys.exit(1)
    print("every changed module that imported before imports the same after the hoist")


if __name__ == "__main__":
    main()
