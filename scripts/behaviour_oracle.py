#!/usr/bin/env python3
"""Behaviour oracle for rulegate's fixes (SPEC 3.2: "A fix keeps the
program's behaviour, or it is not offered").

    python3 scripts/behaviour_oracle.py RULEGATE CORPUS

CORPUS holds small runnable programs: a folder with a `main.py` (and any
helper modules beside it), or a single `.py` file. Each program is copied to
a temporary folder and run with `python3 -B` there (exit code, stdout and
stderr kept, temporary paths normalised); then `rulegate lint --fix
--unsafe-fixes --no-cache --format json` fixes the copy, and the program runs
again. Any difference in exit code or output is a failure.

The program's first line may say `# behaviour oracle: expect moved` (the
fix must change a file) or `# behaviour oracle: expect refused` (no file
changes, and some finding carries `fix_refused`): a judgement that differs
is a failure too, so an oracle that refuses everything cannot pass.

It prints how many programs had fixes applied, and every refusal with its
reason. Exit 1 on any failure.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

EXPECT = re.compile(r"#\s*behaviour oracle:\s*expect\s+(moved|refused)")


def snapshot(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def run_program(work, script):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    env.pop("PYTHONPATH", None)
    p = subprocess.run(
        [sys.executable, "-B", script],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    def norm(s):
        for t in {work, os.path.realpath(work)}:
            s = s.replace(t, "<TMP>")
        return s
    return p.returncode, norm(p.stdout), norm(p.stderr)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rulegate, corpus = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    programs = sorted(e for e in os.listdir(corpus) if not e.startswith("."))
    failures, refusals = [], []
    fixed = 0
    for name in programs:
        src = os.path.join(corpus, name)
        with tempfile.TemporaryDirectory(prefix="behaviour-") as tmp:
            work = os.path.join(tmp, "prog")
            if os.path.isdir(src):
                shutil.copytree(src, work)
                script = "main.py"
            elif name.endswith(".py"):
                os.makedirs(work)
                shutil.copy(src, work)
                script = name
            else:
                continue
            with open(os.path.join(work, script)) as fh:
                m = EXPECT.search(fh.readline())
            expect = m.group(1) if m else None
            before = run_program(work, script)
            files_before = snapshot(work)
            lint = subprocess.run(
                [rulegate, "lint", "--fix", "--unsafe-fixes", "--no-cache", "--format", "json", "."],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if lint.returncode not in (0, 1):
                failures.append(f"{name}: rulegate exited {lint.returncode}: {lint.stderr.strip()}")
                continue
            try:
                findings = json.loads(lint.stdout)
            except json.JSONDecodeError as e:
                failures.append(f"{name}: rulegate's JSON does not parse: {e}")
                continue
            files_after = snapshot(work)
            changed = sorted(p for p in files_after if files_after[p] != files_before.get(p))
            refused = [
                (f["path"], f["line"], f["rule"], f["fix_refused"]["reason"])
                for f in findings
                if f.get("fix_refused")
            ]
            for path, line, rule, reason in refused:
                refusals.append((name, path, line, rule, reason))
            if changed:
                fixed += 1
            after = run_program(work, script)
            if after != before:
                diff = []
                for label, b, a in zip(("exit code", "stdout", "stderr"), before, after):
                    if a != b:
                        diff.append(f"  {label}: before {b!r}\n  {label}: after  {a!r}")
                failures.append(f"{name}: behaviour changed by the fix of {', '.join(changed)}\n" + "\n".join(diff))
            if expect == "moved" and not changed:
                why = "; ".join(r[3] for r in refused) or "no finding"
                failures.append(f"{name}: expected a move, nothing changed ({why})")
            if expect == "refused" and (changed or not refused):
                failures.append(
                    f"{name}: expected a refusal, "
                    + (f"files changed: {', '.join(changed)}" if changed else "no finding says why")
                )
    print(f"{len(programs)} programs, {fixed} with fixes applied, {len(refusals)} refusal(s)")
    for name, path, line, rule, reason in refusals:
        print(f"  refused  {name}/{path}:{line} {rule}: {reason}")
    for f in failures:
        print(f"FAIL {f}")
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("every program behaves the same after its fixes")


if __name__ == "__main__":
    main()
