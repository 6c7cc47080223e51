#!/usr/bin/env bash
# Benchmark (a tool for people, not a test): rulegate against ruff on the same
# corpus, in one run, as ratios. Default corpus: the machine's Python stdlib.
#   scripts/bench.sh [DIR]        RUNS=5 scripts/bench.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(cd "${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}" && pwd)
runs=${RUNS:-3}
cd "$here"
cargo build --release --quiet
cargo bench --bench parse_floor --no-run --quiet 2>/dev/null
floor_bin=$here/$(ls -t target/release/deps/parse_floor-* | grep -v "\.d$" | head -n 1)
rulegate=$here/target/release/rulegate
ruff=${RUFF:-}
if [ -z "$ruff" ]; then
  venv=${RUFF_VENV:-${TMPDIR:-/tmp}/rulegate-ruff-venv}
  [ -x "$venv/bin/ruff" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q ruff==0.17.5; }
  ruff=$venv/bin/ruff
fi

# median wall time of a command over $runs runs, in seconds
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    times+=("$(echo "$e - $s" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# Work on a copy: caches (ours and ruff's) must not be written into the corpus.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$corpus" && find . -name '*.py' -not -path '*/site-packages/*' -print0 | tar --null -T - -cf -) | tar -C "$work" -xf -
cd "$work"
files=$(find . -name '*.py' | wc -l)
t_floor=$(median "$floor_bin" .)
t_e402=$(median "$rulegate" lint --no-cache --exit-zero --select E402 --format concise .)
t_all=$(median "$rulegate" lint --no-cache --exit-zero --format concise .)
t_all_1=$(median "$rulegate" lint --no-cache --exit-zero --threads 1 --format concise .)
t_all_2=$(median "$rulegate" lint --no-cache --exit-zero --threads 2 --format concise .)
t_ruff=$(median "$ruff" check --isolated --no-cache --select E402 --exit-zero .)
rss=$( { /usr/bin/time -f '%M' "$rulegate" lint --no-cache --exit-zero --format concise . >/dev/null; } 2>&1 | tail -n 1 )
# Warm caches: one run fills each, then the median of the next runs.
"$rulegate" lint --exit-zero --format concise . >/dev/null 2>&1 || true
t_warm=$(median "$rulegate" lint --exit-zero --format concise .)
"$ruff" check --isolated --select E402 --exit-zero . >/dev/null 2>&1 || true
t_ruff_warm=$(median "$ruff" check --isolated --select E402 --exit-zero .)
# The import graph: lanes over the corpus (test code is a lane production may
# not import); every rule, with and without the graph's rules.
cat > rulegate.toml <<'TOML'
[lanes.integration]
paths = ["test/**", "*/test/**", "*/tests/**", "idlelib/idle_test/**"]
[lanes.production]
paths = ["**"]
may_import = ["production"]
TOML
t_nograph=$(median "$rulegate" lint --no-cache --exit-zero --ignore LANE,LEG,IMP,STUB --format concise .)
# The pre-commit case: one file, with lanes (STUB001 reads what it imports).
one=email/message.py
t_one_cold=$(median "$rulegate" lint --no-cache --exit-zero --format concise "$one")
"$rulegate" lint --exit-zero --format concise "$one" >/dev/null 2>&1 || true
t_one_warm=$(median "$rulegate" lint --exit-zero --format concise "$one")
t_one_ruff=$(median "$ruff" check --isolated --no-cache --select E402,TD,FIX --exit-zero "$one")
# The import graph of one package against grimp (import-linter's engine).
grimp_py=${GRIMP_PYTHON:-}
if [ -z "$grimp_py" ]; then
  gvenv=${TMPDIR:-/tmp}/rulegate-grimp-venv
  [ -x "$gvenv/bin/python" ] || { python3 -m venv "$gvenv" && "$gvenv/bin/pip" install -q grimp; }
  grimp_py=$gvenv/bin/python
fi
t_grimp=$(median env PYTHONPATH="$work" "$grimp_py" -c "import grimp; grimp.build_graph('email', cache_dir=None)")
t_graph_email=$(median "$rulegate" lint --no-cache --exit-zero --select LANE001 --format concise email)
t_lanes=$(median "$rulegate" lint --no-cache --exit-zero --ignore STUB --format concise .)
t_graph=$(median "$rulegate" lint --no-cache --exit-zero --format concise .)
rm rulegate.toml
# Relational constraints (SPEC §3.1): the eight everyday policies of
# examples/everyday-pack, and the same packs with every `matches`/`has`/
# `inside` (and `not_`) constraint removed.
flat=$(mktemp -d)
mkdir -p "$flat/custom-pack" "$flat/everyday-pack"
cp -r "$here/examples/custom-pack/fixes" "$flat/custom-pack/"
cp "$here/examples/everyday-pack/rulegate.toml" "$flat/everyday-pack/"
python3 "$here/scripts/strip_relations.py" "$here/examples/custom-pack/team.toml" "$flat/custom-pack/team.toml"
python3 "$here/scripts/strip_relations.py" "$here/examples/everyday-pack/everyday.toml" "$flat/everyday-pack/everyday.toml"
t_flat=$(median "$rulegate" lint --config "$flat/everyday-pack/rulegate.toml" --no-cache --exit-zero --select TEAM02,TEAM03 --format concise .)
t_rel=$(median "$rulegate" lint --config "$here/examples/everyday-pack/rulegate.toml" --no-cache --exit-zero --select TEAM02,TEAM03 --format concise .)
rm -rf "$flat"
ratio() { echo "scale=2; $1 / $2" | bc; }
echo "corpus: $corpus ($files .py files), median of $runs runs, $(nproc) cores"
printf '%-46s %6.2f s\n' "tree-sitter parse floor (read+parse)" "$t_floor"
printf '%-46s %6.2f s  (%sx floor, %sx ruff)\n' "rulegate lint --select E402" "$t_e402" "$(ratio "$t_e402" "$t_floor")" "$(ratio "$t_e402" "$t_ruff")"
printf '%-46s %6.2f s  (%sx floor, %sx ruff)\n' "rulegate lint (all builtin:t4 rules)" "$t_all" "$(ratio "$t_all" "$t_floor")" "$(ratio "$t_all" "$t_ruff")"
printf '%-46s %6.2f s\n' "ruff check --select E402 --no-cache" "$t_ruff"
printf '%-46s %6.2f s / %.2f s  (2 threads: %sx)\n' "all rules, 1 thread / 2 threads" "$t_all_1" "$t_all_2" "$(ratio "$t_all_1" "$t_all_2")"
printf '%-46s %6.2f s  (%sx ruff warm)\n' "rulegate lint, warm cache (all rules)" "$t_warm" "$(ratio "$t_warm" "$t_ruff_warm")"
printf '%-46s %6.2f s\n' "ruff check --select E402, warm cache" "$t_ruff_warm"
printf '%-46s %6.2f s\n' "lanes config: all rules but LANE/LEG/IMP/STUB" "$t_nograph"
printf '%-46s %6.2f s  (import graph: %sx)\n' "lanes config: all rules but STUB" "$t_lanes" "$(ratio "$t_lanes" "$t_nograph")"
printf '%-46s %6.2f s  (%sx grimp)\n' "import graph of email (LANE001)" "$t_graph_email" "$(ratio "$t_graph_email" "$t_grimp")"
printf '%-46s %6.2f s\n' "grimp build_graph('email')" "$t_grimp"
printf '%-46s %6.2f s  (%sx ruff)\n' "one file ($one), cold" "$t_one_cold" "$(ratio "$t_one_cold" "$t_one_ruff")"
printf '%-46s %6.2f s  (%sx ruff)\n' "one file ($one), warm cache" "$t_one_warm" "$(ratio "$t_one_warm" "$t_one_ruff")"
printf '%-46s %6.2f s\n' "ruff check --select E402,TD,FIX, one file" "$t_one_ruff"
printf '%-46s %6.2f s  (with symbol tables: %sx)\n' "lanes config: all rules" "$t_graph" "$(ratio "$t_graph" "$t_nograph")"
printf '%-46s %6.2f s\n' "8 everyday policies, relations removed" "$t_flat"
printf '%-46s %6.2f s  (relational constraints: %sx)\n' "8 everyday policies (examples/everyday-pack)" "$t_rel" "$(ratio "$t_rel" "$t_flat")"
echo "rulegate peak RSS (all rules): $((rss / 1024)) MiB"
