#!/usr/bin/env bash
# E402 parity with ruff on real code: the machine's Python standard library
# (or the folder given). Compares rulegate's E402 findings (embedded default
# config) with `ruff check --isolated --no-cache --select E402`, line by line,
# ignoring files ruff reports as invalid syntax. Exit 1 on any difference.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}
rulegate=${RULEGATE:-$here/target/release/rulegate}
[ -x "$rulegate" ] || (cd "$here" && cargo build --release --quiet)
ruff=${RUFF:-}
if [ -z "$ruff" ]; then
  venv=${RUFF_VENV:-${TMPDIR:-/tmp}/rulegate-ruff-venv}
  [ -x "$venv/bin/ruff" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q ruff==0.17.5; }
  ruff=$venv/bin/ruff
fi
out=$(mktemp -d)
cd "$corpus"
"$ruff" check --isolated --no-cache --select E402 --output-format json --exit-zero . > "$out/ruff.json" 2>/dev/null || true
"$rulegate" lint --no-cache --exit-zero --select E402 --format json . > "$out/rulegate.json"
python3 - "$out" "$corpus" <<'PY'
import json, os, sys
out, corpus = sys.argv[1], sys.argv[2]
ruff = json.load(open(os.path.join(out, "ruff.json")))
mine = json.load(open(os.path.join(out, "rulegate.json")))
def rel(p):
    p = os.path.relpath(p, corpus) if os.path.isabs(p) else p
    return p.replace(os.sep, "/")
invalid = {rel(d["filename"]) for d in ruff if d.get("code") in (None, "E999", "invalid-syntax") or "SyntaxError" in d.get("message", "")}
r = {(rel(d["filename"]), d["location"]["row"]) for d in ruff if d.get("code") == "E402"}
m = {(rel(d["path"]), d["line"]) for d in mine if d["rule"] == "E402"}
r = {x for x in r if x[0] not in invalid}
m = {x for x in m if x[0] not in invalid}
only_ruff, only_mine = sorted(r - m), sorted(m - r)
print(f"E402 parity on {corpus}: ruff {len(r)}, rulegate {len(m)}, common {len(r & m)}, "
      f"only ruff {len(only_ruff)}, only rulegate {len(only_mine)} "
      f"({len(invalid)} files ruff calls invalid syntax skipped)")
for x in only_ruff[:30]: print("  only ruff:     %s:%d" % x)
for x in only_mine[:30]: print("  only rulegate: %s:%d" % x)
sys.exit(1 if only_ruff or only_mine else 0)
PY
