#!/usr/bin/env bash
# Fix safety on real code: copy the Python standard library (or DIR), run
# `lint --fix --unsafe-fixes` with rewrite rules (templates and a Rhai script;
# one deletes statements, one inserts `await`) and E402's fix (it moves late
# imports to the top import block), then check that every file
# that CPython compiled before still compiles (python3 `compile`, which also
# rejects empty blocks and misplaced `await`/`return`/`yield`),
# that a second run changes nothing, and that only files with findings changed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}
rulegate=${RULEGATE:-$here/target/release/rulegate}
[ -x "$rulegate" ] || (cd "$here" && cargo build --release --quiet)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree"
(cd "$corpus" && find . -name '*.py' -not -path '*/site-packages/*' -print0 | tar --null -T - -cf -) | tar -C "$work/tree" -xf -
cp "$here"/tests/fixtures/fix-safety/* "$work/tree/"
cd "$work/tree"
parses() { python3 - "$1" <<'PY'
import pathlib, sys, warnings
warnings.simplefilter("ignore")
ok = []
for p in sorted(pathlib.Path(".").rglob("*.py")):
    try:
        compile(p.read_bytes(), str(p), "exec", dont_inherit=True)
        ok.append(str(p))
    except Exception:
        pass
pathlib.Path(sys.argv[1]).write_text("\n".join(ok) + "\n")
PY
}
parses "$work/before.txt"
find . -name '*.py' -exec md5sum {} + | sort -k2 > "$work/sum_before.txt"
select=(--select RW,E402)
"$rulegate" lint --no-cache --exit-zero --format json --unsafe-fixes "${select[@]}" . > "$work/findings.json"
"$rulegate" lint --exit-zero --fix --unsafe-fixes --format concise "${select[@]}" . > "$work/fix.txt" || true
tail -n 3 "$work/fix.txt"
parses "$work/after.txt"
find . -name '*.py' -exec md5sum {} + | sort -k2 > "$work/sum_after.txt"
status=0
broken=$(comm -23 "$work/before.txt" "$work/after.txt")
if [ -n "$broken" ]; then echo "FAIL: files that no longer parse:"; echo "$broken" | head; status=1; fi
changed=$(join -1 2 -2 2 "$work/sum_before.txt" "$work/sum_after.txt" | awk '$2 != $3 {print $1}' | sed 's|^\./||' | sort)
with_findings=$(python3 -c 'import json,sys; print("\n".join(sorted({f["path"] for f in json.load(open(sys.argv[1])) if f["fix"]})))' "$work/findings.json")
extra=$(comm -23 <(echo "$changed") <(echo "$with_findings") | sed '/^$/d')
if [ -n "$extra" ]; then echo "FAIL: files changed without fixable findings:"; echo "$extra" | head; status=1; fi
e402_left=$("$rulegate" lint --no-cache --exit-zero --format concise --select E402 . | grep -c ' E402 ' || true)
e402_before=$(python3 -c 'import json,sys; print(sum(f["rule"] == "E402" for f in json.load(open(sys.argv[1]))))' "$work/findings.json")
echo "E402: $e402_before before the fix, $e402_left left"
if ! "$rulegate" lint --exit-zero --diff --unsafe-fixes "${select[@]}" . > "$work/second.diff" 2>/dev/null; then
  echo "FAIL: a second --fix would still change files:"; head -20 "$work/second.diff"; status=1
fi
rollbacks=$(grep -c ' FIX002 ' "$work/fix.txt" || true)
echo "fix safety: $(echo "$changed" | sed '/^$/d' | wc -l) files fixed, $(wc -l < "$work/before.txt") parsed before, $(wc -l < "$work/after.txt") after, $rollbacks rollbacks"
exit $status
