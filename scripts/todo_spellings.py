#!/usr/bin/env python3
"""TODO tags against the oracle: each comment spelling below is one line of a
file; the lines ruff 0.17.5 tags (any FIX001-FIX004 finding) must be the
lines `rulegate report todos` lists. One known difference is allowed:
`# TODO_later`, which ruff reads as a TODO tag and rulegate does not (the tag
is glued to a word).

usage: todo_spellings.py RUFF RULEGATE
"""
import json
import os
import subprocess
import sys
import tempfile

SPELLINGS = [
    "# TODO: a", "# todo: b", "# Fixme: c", "# ToDo (x)", "# XXX d", "# HACK e", "#TODO f",
    "## TODO g", "# foo # TODO h", "# TODOs", "# todo-list", "x = '# TODO'",
    "# noqa: E402 # TODO i", "# TODO(alice): j", "#  fixme k", "# FIXME:", "# hackathon",
    "# xxxl", "# TODO", "# todo", "# TODO!", "#TODO:x", "# \tTODO tab", "# fixme(bob) later",
    "# Hack: around", "# hack", "# XXX: y", "# xxx: y", "    # TODO indented", "# (TODO) no",
    "# not a TODO", "# T0D0 zero", "# TODO:", "# TODO-1234 ticket", "# TODO [2026-01-01] x",
    "# TODO[2026-01-15][PRIORITY:HIGH][OWNER:@ana][SCOPE:PROD] : full",
    "# todo[2026-01-15][PRIORITY:HIGH][OWNER:@ana][SCOPE:PROD] : lower full",
    "# TODO_later",
]
ALLOWED = {"# TODO_later"}


def main():
    ruff, rulegate = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "t.py"), "w") as f:
        f.write("\n".join(SPELLINGS) + "\n")
    out = subprocess.run(
        [ruff, "check", "--isolated", "--no-cache", "--select", "FIX", "--output-format", "json", "t.py"],
        capture_output=True, text=True, cwd=folder).stdout
    theirs = {d["location"]["row"] for d in json.loads(out or "[]")}
    out = subprocess.run(
        [rulegate, "report", "todos", "--format", "json", "--today", "2026-01-01", "t.py"],
        capture_output=True, text=True, cwd=folder).stdout
    ours = {item["line"] for item in json.loads(out)["items"]}
    differ = 0
    for i, s in enumerate(SPELLINGS, start=1):
        r, g = i in theirs, i in ours
        if r != g:
            allowed = s in ALLOWED
            differ += not allowed
            print(f"{'allowed' if allowed else 'DIFFERENT'}: {s!r}: ruff {'tags' if r else 'skips'} it, rulegate {'tags' if g else 'skips'} it")
    print(f"todo spellings: {len(SPELLINGS)} lines, {len(SPELLINGS) - differ} as ruff tags them (allowing {sorted(ALLOWED)}), {differ} different")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
