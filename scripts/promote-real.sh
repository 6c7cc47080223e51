#!/usr/bin/env bash
# rulegate promote on real code (a tool for people; slow, not in CI): two
# PyPI packages whose wheels ship their own test suites, each suite run
# before and after renaming a widely imported module with --apply.
#   scripts/promote-real.sh            (needs network for pip; ~7 minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rulegate=${RULEGATE:-$here/target/release/rulegate}
[ -x "$rulegate" ] || (cd "$here" && cargo build --release --quiet)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pytest==8.4.2 pytest-benchmark pytest-subtests
py=$work/venv/bin/python

# trial NAME WHEEL-SPEC DEPS SRC DST
trial() {
  local name=$1 spec=$2 deps=$3 src=$4 dst=$5
  mkdir -p "$work/$name" && cd "$work/$name"
  python3 -m pip download -q --no-deps -d wheel "$spec"
  [ -z "$deps" ] || "$work/venv/bin/pip" install -q $deps
  python3 -c "import glob, zipfile; zipfile.ZipFile(glob.glob('wheel/*.whl')[0]).extractall('src')"
  cd src && rm -rf ./*.dist-info
  # The package's user cache would hold pickles naming the old module.
  export XDG_CACHE_HOME="$work/$name/cache"
  echo "== $name: before"
  "$py" -m pytest -q -p no:cacheprovider "${src%%.*}" 2>&1 | tail -n 1
  rm -rf "$XDG_CACHE_HOME"
  echo "== $name: rulegate promote $src --to $dst --apply"
  "$rulegate" promote "$src" --to "$dst" --apply
  echo "== $name: after"
  "$py" -m pytest -q -p no:cacheprovider "${src%%.*}" 2>&1 | tail -n 1
}
trial networkx networkx==3.4.2 "" networkx.exception networkx.errors
trial pint pint==0.24.4 "flexcache flexparser platformdirs typing_extensions" pint.util pint.utilities
