#!/usr/bin/env python3
"""Suppression spellings against the oracle: every directive spelling below,
in every placement it can take, is written to a file with an E402 finding;
ruff 0.17.5 and rulegate each lint the folder with `--select E402`, and the
lines each reports must be the same. Spellings come from ruff's docs, its
noqa/RUF100/PGH004 fixtures, and the forms teams write. Files with lone
CRs and mixed CRLF/CR/LF endings (ENDINGS) must also get ruff's exact
positions: line, column, end line and end column of every E402.

usage: suppression_spellings.py RUFF RULEGATE [--table FILE]
Exits 1 when any spelling gets a different verdict.
"""
import json
import os
import subprocess
import sys
import tempfile

# Line-level spellings: each goes where a line directive can go.
LINE = [
    "# noqa", "# NOQA", "# nOqA", "#noqa", "#  noqa", "# NoQA: E402", "# noqa -- all of it",
    "# noqa: E402", "#noqa:E402", "# noqa:E402,F401", "# noqa: E402, F401", "#  noqa: E402,  F401",
    "# noqa: E402F401", "# noqa: F401E402", "# noqa: F401 E402", "# noqa: F401,,E402",
    "# noqa: F401,    ,E402", "# noqa E402", "# noqa : E402", "# noqa  : E402", "# noqa :E402",
    "# noqa;E402", "# noqaE402", "# noqa-E402", "# noqa: E402(reason)", "# noqa: E402.F401",
    "# noqa: E402: reason", "# noqa:E402:", "# noqa: E402 : F401", "# noqa:", "# noqa:  # Foo",
    "# noqa: E", "# noqa: E4", "# noqa: foo", "# noqa: py3, E402", "# noqa: E402 py3",
    "# noqa: e402", "# noqa: E402, e501", "# noqa: E402#F401", "# noqa: E402 # and more",
    "# noqa: module-import-not-at-top-of-file", "# noqa: RUF001, E402", "# noqa: RUF001F",
    "# noqa: E402 -- bootstrap", "# noqa: E402 -- bootstrap until=2099-01-01",
    "# type: ignore # noqa: E402", "## noqa: E402", "###noqa: E402", "#   # noqa: E402",
    "# noqa # noqa: F401", "# noqa: F401 # noqa: E402", "# noqa: F401", "# noqa: X100",
    "# noqa X100, X200", "# noqa: F841, F841, E402", "# noqa: F841 F841  F841, E402",
    "# ruff: noqa: E402", "# ruff: noqa", "# flake8: noqa", "# no qa",
    "# ruff: ignore[E402]", "# ruff:ignore[E402]", "#ruff: ignore [E402]", "# ruff : ignore[E402]",
    "# ruff: ignore[E402, F401]", "# ruff: ignore[E402,]", "# ruff: ignore[ E402 ]",
    "# ruff: ignore[E402 F401]", "# ruff: ignore[E4]", "# ruff: ignore[E]", "# ruff: ignore[]",
    "# ruff: ignore", "# ruff: ignore[E402", "# ruff: Ignore[E402]", "# RUFF: ignore[E402]",
    "# ruff: ignore[e402]", "# ruff: ignore[ALL]", "# ruff: ignore[E402F401]",
    "# ruff: ignore[module-import-not-at-top-of-file]", "# ruff: ignore[E402] -- reason",
    "# ruff: ignore[E402]  # why", "# comment # ruff: ignore[E402]", "# ruff: ignore[F401]",
    "# ruff: file-ignore[E402]", "# ruff: disable[E402]",
]

# File-level spellings: at the top, at the end, indented, and trailing.
FILE = [
    "# ruff: noqa", "# ruff: noqa: E402", "#ruff:noqa:E402", "# ruff : noqa", "# ruff: NOQA",
    "# ruff: noqa E402", "# ruff: noqa -- generated", "# ruff: noqa:", "# ruff: noqa: F401",
    "# Ruff: noqa", "# flake8: noqa", "# flake8: noqa: E402", "# flake8: noqa: F401",
    "# FLAKE8: noqa", "# flake8:noqa", "# ruff: file-ignore[E402]", "# ruff:file-ignore[E402]",
    "# ruff: file-ignore[E4]", "# ruff: file-ignore[]", "# ruff: file-ignore",
    "# ruff: file-ignore[E402, F401]", "# ruff: file-ignore[E402] -- reason",
    "# ruff: disable[E402]", "# ruff: enable[E402]",
]

LINE_PLACES = {
    "trailing": "x = 1\nimport os  {c}\n",
    "own line above": "x = 1\n{c}\nimport os\n",
    "own line, blank line, import": "x = 1\n{c}\n\nimport os\n",
    "continuation, last line": "x = 1\nimport os, \\\n    sys  {c}\n",
    "brackets, opening line": "x = 1\nfrom os import (  {c}\n    path,\n)\n",
    "brackets, closing line": "x = 1\nfrom os import (\n    path,\n)  {c}\n",
    "brackets, inner line": "x = 1\nfrom os import (\n    path,  {c}\n)\n",
    "after a multi-line string": "x = 1\nimport os; y = '''a\nb'''  {c}\n",
    "line before": "x = 1  {c}\nimport os\n",
}

FILE_PLACES = {
    "top": "{c}\nx = 1\nimport os\n",
    "end": "x = 1\nimport os\n{c}\n",
    "indented": "x = 1\nimport os\n    {c}\n",
    "trailing": "x = 1\nimport os  {c}\n",
}

RANGES = {
    "disable, enable, after": "x = 1\n# ruff: disable[E402]\nimport os\n# ruff: enable[E402]\nimport sys\n",
    "disable unmatched": "x = 1\n# ruff: disable[E402]\nimport os\nimport sys\n",
    "disable trailing": "x = 1\nimport os  # ruff: disable[E402]\nimport sys\n",
    "enable only": "x = 1\n# ruff: enable[E402]\nimport os\n",
    "disable in a block": "x = 1\nif x:\n    # ruff: disable[E402]\n    pass\nimport os\n",
    "enable without codes": "x = 1\n# ruff: disable[E402]\nimport os\n# ruff: enable\nimport sys\n",
    "enable of fewer codes": "x = 1\n# ruff: disable[E402, F401]\nimport os\n# ruff: enable[E402]\nimport sys\n",
    "two disables": "x = 1\n# ruff: disable[E402]\n# ruff: disable[F401]\nimport os\n# ruff: enable[F401]\nimport sys\n",
    "space before bracket": "x = 1\n# ruff: disable [E402]\nimport os\n",
    "no spaces": "x = 1\n#ruff:disable[E402]\nimport os\n#ruff:enable[E402]\nimport sys\n",
    "with reason": "x = 1\n# ruff: disable[E402] -- reason\nimport os\n",
    "prefix code": "x = 1\n# ruff: disable[E4]\nimport os\n",
    "enable inside the statement": "x = 1\n# ruff: disable[E402]\nfrom os import (\n# ruff: enable[E402]\n    path,\n)\n",
    "disable after a block": "x = 1\nif x:\n    pass\n# ruff: disable[E402]\nimport os\n",
    "indented oddly": "x = 1\n  # ruff: disable[E402]\nimport os\n",
    "matched twice": "x = 1\n# ruff: disable[E402]\nimport os\n# ruff: enable[E402]\nimport re\n# ruff: disable[E402]\nimport sys\n# ruff: enable[E402]\n",
}

# Line endings: a lone CR breaks lines for CPython and ruff, so a comment
# ends at it (`# noqa: E402\rimport json` is a comment, then code).
ENDINGS = {
    "noqa, lone CR, import": "x = 1\n# noqa: E402\rimport json\n",
    "noqa, CRLF, import": "x = 1\r\n# noqa: E402\r\nimport json\r\n",
    "CR only": "x = 1\rimport os\rimport sys  # noqa: E402\r",
    "mixed, brackets": "import os\r\nx = 1\rimport re\nimport json\r\nfrom os import (\r    path,\n)\r\n",
    "trailing noqa before a lone CR": "x = 1\rimport os  # noqa: E402\rimport sys\r\n",
    "continuation over a lone CR": "x = 1\rimport os, \\\r    sys\rimport re\n",
    "string over lone CRs": "x = 1\rimport os; y = '''a\rb'''  # noqa: E402\rimport re\n",
    "wide characters": "x = '\u00e9\u00e9'\rimport json  # \u00e9\r\nimport re; z = '\u00e9'\r",
    "no final line break": "x = 1\r\nimport os\rimport re",
}


def cases():
    out = []
    for c in LINE:
        for place, t in LINE_PLACES.items():
            out.append((c, place, t.replace("{c}", c)))
    for c in FILE:
        for place, t in FILE_PLACES.items():
            out.append((c, place, t.replace("{c}", c)))
    for place, text in RANGES.items():
        out.append(("(range)", place, text))
    for place, text in ENDINGS.items():
        out.append(("(line endings)", place, text))
    return out


def e402_positions(cmd, folder, names):
    """{file: {(line, column, end line, end column)}} of E402 findings."""
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=folder)
    found = {n: set() for n in names}
    for f in json.loads(out.stdout or "[]"):
        path = f.get("filename") or f.get("path")
        name = os.path.basename(path)
        code = f.get("code") or f.get("rule")
        if "location" in f:
            pos = (f["location"]["row"], f["location"]["column"],
                   f["end_location"]["row"], f["end_location"]["column"])
        else:
            pos = (f["line"], f["column"], f["end_line"], f["end_column"])
        if code == "E402" and name in found:
            found[name].add(pos)
    return found


def main():
    ruff, rulegate = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    table = sys.argv[sys.argv.index("--table") + 1] if "--table" in sys.argv else None
    all_cases = cases()
    folder = tempfile.mkdtemp()
    names = []
    for i, (_, _, text) in enumerate(all_cases):
        name = f"c{i:04d}.py"
        names.append(name)
        with open(os.path.join(folder, name), "w", newline="") as f:
            f.write(text)
    theirs = e402_positions(
        [ruff, "check", "--isolated", "--no-cache", "--select", "E402", "--output-format", "json", "."],
        folder, names)
    ours = e402_positions(
        [rulegate, "lint", "--no-cache", "--exit-zero", "--select", "E402", "--format", "json", "--today", "2026-01-01", "."],
        folder, names)
    rows, differ = [], 0
    for name, (spelling, place, _) in zip(names, all_cases):
        r, g = sorted(theirs[name]), sorted(ours[name])
        if spelling != "(line endings)":
            # Elsewhere the verdict is the lines reported.
            r, g = sorted({p[0] for p in r}), sorted({p[0] for p in g})
        same = r == g
        differ += not same
        rows.append(f"| `{spelling}` | {place} | {r or 'suppressed'} | {g or 'suppressed'} | {'' if same else 'DIFFERENT'} |")
    if table:
        with open(table, "w") as f:
            f.write("| directive | placement | ruff 0.17.5 reports E402 at | rulegate | |\n|---|---|---|---|---|\n")
            f.write("\n".join(rows) + "\n")
    for row in rows:
        if row.endswith("DIFFERENT |"):
            print(row)
    print(f"suppression spellings: {len(all_cases)} cases, {len(all_cases) - differ} same as ruff, {differ} different")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
