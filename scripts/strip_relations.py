#!/usr/bin/env python3
"""Copies a rule pack with its relational constraints (`where.C.matches`,
`has`, `inside` and their `not_` forms) removed, for scripts/bench.sh to
measure what they cost: python3 scripts/strip_relations.py IN OUT"""
import re
import sys

RELATION = re.compile(r"^where\.[\w-]+\.(not_)?(matches|has|inside)\s*=\s*(.*)$")

def strip(lines):
    out, closing = [], None
    for line in lines:
        if closing:
            if line.strip().startswith(closing) or line.rstrip().endswith(closing):
                closing = None
            continue
        m = RELATION.match(line)
        if not m:
            out.append(line)
            continue
        value = m.group(3).strip()
        if value.startswith("'''") and value.count("'''") == 1:
            closing = "'''"
        elif value.startswith("[") and not value.endswith("]"):
            closing = "]"
    return out

with open(sys.argv[1]) as src:
    text = strip(src.read().splitlines(keepends=True))
with open(sys.argv[2], "w") as dst:
    dst.writelines(text)
