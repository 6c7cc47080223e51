#!/usr/bin/env python3
"""Ten everyday team policies (two written as patterns), checked two ways: by rulegate (the packs in
examples/everyday-pack, written only with SPEC 3.1's query syntax and
relational constraints) and by a checker over CPython's own `ast`. Prints a
table per rule and exits 1 on any difference.

    python3 scripts/everyday_oracle.py RULEGATE CORPUS...

Files CPython cannot parse, or that are not UTF-8, are left out (neither
side has an opinion on them); so are files tree-sitter reports a syntax
error in (E999), and the script says how many.
"""

import ast
import re
import json
import os
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "examples", "everyday-pack", "rulegate.toml")

HTTP_VERBS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
MUTABLE = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)


def is_main_test(test):
    """`__name__ == "__main__"`, either way round."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    a, b = test.left, test.comparators[0]
    def name(n): return isinstance(n, ast.Name) and n.id == "__name__"
    def main(n): return isinstance(n, ast.Constant) and n.value == "__main__"
    return (name(a) and main(b)) or (main(a) and name(b))


def has_docstring(fn):
    first = fn.body[0]
    return (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str))


class Resolver(ast.NodeVisitor):
    """What each name reference resolves to, as a symbol table says: the
    bindings of every scope (module, class, function, lambda,
    comprehension), imports mapped to their qualified names. A name
    resolves to an import only when every binding of it in the scope that
    owns it is that same import (TEAM042, `where.F.resolves_to`)."""

    def __init__(self):
        self.scopes = {}      # scope node -> {name: set of qualified|None}
        self.parent = {}      # scope node -> enclosing scope node
        self.declared = {}    # scope node -> {name: "global"|"nonlocal"}

    def scope_of(self, tree):
        stack = [(tree, None)]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                 ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp,
                                 ast.GeneratorExp)):
                self.parent[node] = scope
                self.scopes[node] = {}
                self.declared[node] = {}
                inner = node
            else:
                inner = scope
            node._scope = scope if inner is node else inner
            node._owner = inner
            for child in ast.iter_child_nodes(node):
                stack.append((child, inner))

    def bind(self, scope, name, what):
        kind = self.declared[scope].get(name)
        while kind is not None:
            if kind == "global":
                while self.parent[scope] is not None:
                    scope = self.parent[scope]
            else:
                scope = self.owner_of(self.parent[scope], name, skip_class=True) or scope
            kind = None
        self.scopes[scope].setdefault(name, set()).add(what)

    def owner_of(self, scope, name, skip_class=False):
        while scope is not None:
            if not (skip_class and isinstance(scope, ast.ClassDef)) and name in self.scopes[scope]:
                return scope
            skip_class = True
            scope = self.parent[scope]
        return None

    def collect(self, tree):
        self.scope_of(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                for n in node.names:
                    self.declared[node._owner][n] = "global" if isinstance(node, ast.Global) else "nonlocal"
        for node in ast.walk(tree):
            scope = node._scope if hasattr(node, "_scope") else None
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.bind(node._owner, a.asname, a.name)
                    else:
                        first = a.name.split(".")[0]
                        self.bind(node._owner, first, first)
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:
                    if a.name == "*":
                        continue
                    q = (node.module + "." + a.name) if node.module and not node.level else None
                    self.bind(node._owner, a.asname or a.name, q)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                owner = node._owner
                self.bind(owner, node.id, None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.bind(scope, node.name, None)
            elif isinstance(node, ast.arg):
                self.bind(node._owner, node.arg, None)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.bind(node._owner, node.name, None)
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                self.bind(node._owner, node.name, None)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                self.bind(node._owner, node.rest, None)

    def qualified(self, expr):
        attrs = []
        while isinstance(expr, ast.Attribute):
            attrs.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        owner = self.owner_of(expr._owner, expr.id)
        if owner is None:
            return None
        bound = self.scopes[owner][expr.id]
        if len(bound) != 1 or None in bound:
            return None
        return ".".join([next(iter(bound))] + attrs[::-1])


def findings(tree, source):
    """(rule, line) of every finding in one module."""
    parent = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[child] = node

    def ancestors(node):
        while node in parent:
            node = parent[node]
            yield node

    # ast.get_source_segment splits the whole source on every call; split
    # once, on the line ends the parser counts.
    lines = [l.encode() for l in re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", source)]

    def segment(n):
        if n.lineno == n.end_lineno:
            return lines[n.lineno - 1][n.col_offset:n.end_col_offset]
        middle = b"".join(lines[n.lineno:n.end_lineno - 1])
        return lines[n.lineno - 1][n.col_offset:] + middle + lines[n.end_lineno - 1][:n.end_col_offset]

    out = []
    resolver = Resolver()
    resolver.collect(tree)
    for node in ast.walk(tree):
        # TEAM042 (`where.F.resolves_to`): a call of os.path.join however
        # it was imported, not a local of that name.
        if isinstance(node, ast.Call) and resolver.qualified(node.func) == "os.path.join":
            out.append(("TEAM042", node.func.lineno))
        if isinstance(node, ast.Call):
            f = node.func
            attr_of = lambda mod: (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                                   and f.value.id == mod)
            keywords = {k.arg for k in node.keywords}
            # TEAM020: time.sleep() whose nearest enclosing def is async
            # (lambdas and classes are looked through).
            if attr_of("time") and f.attr == "sleep":
                for a in ancestors(node):
                    if isinstance(a, ast.FunctionDef):
                        break
                    if isinstance(a, ast.AsyncFunctionDef):
                        out.append(("TEAM020", node.lineno))
                        break
            # TEAM021: requests.VERB(...) without timeout= among its own keywords.
            if attr_of("requests") and f.attr in HTTP_VERBS and "timeout" not in keywords:
                out.append(("TEAM021", node.lineno))
            # TEAM031: print() outside `if __name__ == "__main__":` (body or else).
            if isinstance(f, ast.Name) and f.id == "print":
                if not any(isinstance(a, ast.If) and is_main_test(a.test) for a in ancestors(node)):
                    out.append(("TEAM031", node.lineno))
            # TEAM033: open() in text mode without encoding=.
            if isinstance(f, ast.Name) and f.id == "open" and "encoding" not in keywords:
                mode = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "mode"), None)
                binary = (isinstance(mode, ast.Constant) and isinstance(mode.value, str)
                          and "b" in mode.value)
                if not binary:
                    out.append(("TEAM033", node.lineno))
            # TEAM034: subprocess.ANY(..., shell=True).
            if attr_of("subprocess") and any(
                    k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
                    for k in node.keywords):
                out.append(("TEAM034", node.lineno))
        # TEAM022: a view (decorated with a call of `.route`) without a docstring.
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            routes = [d for d in node.decorator_list if isinstance(d, ast.Call)
                      and isinstance(d.func, ast.Attribute) and d.func.attr == "route"]
            if routes and not has_docstring(node):
                out.append(("TEAM022", node.lineno))
        # TEAM040 (a `pattern` rule): assert on a non-empty tuple, always true.
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Tuple) and node.test.elts:
            out.append(("TEAM040", node.lineno))
        # TEAM041 (a `pattern` rule with a repeated metavariable): `x = x`,
        # one target whose text is the value's text.
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and segment(node.targets[0]) == segment(node.value)):
            out.append(("TEAM041", node.lineno))
        # TEAM030: bare `except:`.
        if isinstance(node, ast.ExceptHandler) and node.type is None:
            out.append(("TEAM030", node.lineno))
        # TEAM032: a mutable default (list, dict, set display or comprehension).
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for d in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                if isinstance(d, MUTABLE):
                    out.append(("TEAM032", d.lineno))
    return out


def python_files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield os.path.abspath(p)
            continue
        for root, dirs, files in os.walk(p):
            # As rulegate's default excludes: installed packages are not the stdlib.
            dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.abspath(os.path.join(root, name))


def main():
    rulegate, corpus = sys.argv[1], sys.argv[2:]
    expected, files = Counter(), []
    unparsable = 0
    for path in python_files(corpus):
        try:
            with open(path, "rb") as fh:
                source = fh.read().decode("utf-8")
            tree = ast.parse(source)
        except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
            unparsable += 1
            continue
        files.append(path)
        for rule, line in findings(tree, source):
            expected[(path, rule, line)] += 1
    got, ts_errors = Counter(), set()
    root = os.path.dirname(os.path.abspath(CONFIG))
    for i in range(0, len(files), 400):
        chunk = files[i:i + 400]
        run = subprocess.run(
            [rulegate, "lint", "--config", CONFIG, "--no-cache", "--exit-zero",
             "--select", "TEAM02,TEAM03,TEAM040,TEAM041,TEAM042,E999", "--format", "json", *chunk],
            capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"rulegate failed ({run.returncode}):\n{run.stderr}")
        for d in json.loads(run.stdout):
            path = d["path"] if os.path.isabs(d["path"]) else os.path.join(root, d["path"])
            path = os.path.normpath(path)
            if d["rule"] == "E999":
                ts_errors.add(path)
            else:
                got[(path, d["rule"], d["line"])] += 1
    keep = lambda c: Counter({k: v for k, v in c.items() if k[0] not in ts_errors})
    expected, got = keep(expected), keep(got)
    rules = sorted({k[1] for k in expected} | {k[1] for k in got} |
                   {"TEAM020", "TEAM021", "TEAM022", "TEAM030", "TEAM031", "TEAM032", "TEAM033", "TEAM034",
                    "TEAM040", "TEAM041", "TEAM042"})
    print(f"{'rule':<8} {'ast':>6} {'rulegate':>9} {'agree':>6} {'only ast':>9} {'only rulegate':>14}")
    differ = []
    for r in rules:
        e = Counter({k: v for k, v in expected.items() if k[1] == r})
        g = Counter({k: v for k, v in got.items() if k[1] == r})
        common = sum((e & g).values())
        only_e, only_g = e - g, g - e
        print(f"{r:<8} {sum(e.values()):>6} {sum(g.values()):>9} {common:>6} "
              f"{sum(only_e.values()):>9} {sum(only_g.values()):>14}")
        differ += [("only ast", k) for k in sorted(only_e)] + [("only rulegate", k) for k in sorted(only_g)]
    print(f"{len(files)} files compared; {unparsable} CPython cannot parse or decode; "
          f"{len(ts_errors)} with a tree-sitter syntax error (E999) left out")
    for side, (path, rule, line) in differ[:40]:
        print(f"  {side}: {path}:{line} {rule}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
