#!/usr/bin/env bash
# Benchmark (a tool for people, not a test): rulegate against ruff, ast-grep
# and grimp on the same corpora, in one run, as ratios. Medians of $RUNS runs
# of wall time and of CPU time (user + system).
#   scripts/bench.sh [STDLIB_DIR]        RUNS=5 scripts/bench.sh
# Corpora: the machine's Python stdlib (or the folder given), and sympy
# 1.14.0 from its wheel (lanes: tests are a lane production may not import).
# Peers install into throwaway venvs under $TMPDIR: ruff 0.17.5, ast-grep-cli
# 0.51.1, grimp 3.19 (import-linter's engine).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=$(cd "${1:-$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')}" && pwd)
runs=${RUNS:-3}
tmp=${TMPDIR:-/tmp}
cd "$here"
cargo build --release --quiet
cargo bench --bench parse_floor --no-run --quiet 2>/dev/null
floor_bin=$here/$(ls -t target/release/deps/parse_floor-* | grep -v "\.d$" | head -n 1)
rulegate=$here/target/release/rulegate

venv_tool() { # venv_tool NAME PIP_SPEC -> path of the venv
  local venv=$tmp/rulegate-bench-$1
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" show -q "${2%%==*}" >/dev/null 2>&1 || "$venv/bin/pip" install -q "$2"
  echo "$venv"
}
ruff=${RUFF:-$(venv_tool ruff ruff==0.17.5)/bin/ruff}
astgrep=$(venv_tool ast-grep ast-grep-cli==0.51.1)/bin/ast-grep
grimp_py=$(venv_tool grimp grimp==3.19)/bin/python

# measure CMD...: sets $wall and $cpu, medians over $runs runs (seconds).
measure() {
  local walls=() cpus=() line
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >/dev/null 2>&1 || true
    line=$(tail -n 1 "$work/time")
    walls+=("$(echo "$line" | awk '{print $1}')")
    cpus+=("$(echo "$line" | awk '{print $2 + $3}')")
  done
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
}
# fast CMD...: median seconds per run of a command too quick for one timing
# (20 runs in a row, $runs times).
fast() {
  local times=() s e
  for _ in $(seq "$runs"); do
    s=$(date +%s.%N)
    for _ in $(seq 20); do "$@" >/dev/null 2>&1 || true; done
    e=$(date +%s.%N)
    times+=("$(echo "($e - $s) / 20" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.4f", a[int((NR+1)/2)]}'
}
ratio() { echo "scale=2; $1 / $2" | bc; }
row() { printf '%-52s %7.2f s wall %7.2f s cpu  %s\n' "$1" "$2" "$3" "${4:-}"; }

# Work on copies: caches (ours and the peers') must not be written into the corpus.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
std=$work/stdlib
mkdir -p "$std"
(cd "$corpus" && find . -name '*.py' -not -path '*/site-packages/*' -print0 | tar --null -T - -cf -) | tar -C "$std" -xf -
files=$(find "$std" -name '*.py' | wc -l)
echo "== $corpus ($files .py files), medians of $runs runs, $(nproc) cores"
cd "$std"
measure "$floor_bin" .; floor_wall=$wall; floor_cpu=$cpu
row "tree-sitter parse floor (read+parse)" "$wall" "$cpu"
measure "$rulegate" lint --no-cache --exit-zero --format concise .; all_wall=$wall; all_cpu=$cpu
measure "$rulegate" lint --no-cache --exit-zero --select E402 --format concise .; e402_wall=$wall; e402_cpu=$cpu
measure "$ruff" check --isolated --no-cache --select E402 --exit-zero .; ruff_wall=$wall
row "rulegate lint (all builtin:t4 rules)" "$all_wall" "$all_cpu" "($(ratio "$all_cpu" "$floor_cpu")x floor cpu, $(ratio "$all_wall" "$ruff_wall")x ruff E402 wall)"
row "rulegate lint --select E402" "$e402_wall" "$e402_cpu" "($(ratio "$e402_cpu" "$floor_cpu")x floor cpu, $(ratio "$e402_wall" "$ruff_wall")x ruff wall)"
row "ruff check --select E402 --no-cache" "$ruff_wall" "$cpu"
measure "$rulegate" lint --no-cache --exit-zero --threads 1 --format concise .; t1=$wall; c1=$cpu
measure "$rulegate" lint --no-cache --exit-zero --threads 2 --format concise .; t2=$wall
row "all rules, 1 thread" "$t1" "$c1"
row "all rules, 2 threads" "$t2" "$cpu" "(2 threads: $(ratio "$t1" "$t2")x one)"
/usr/bin/time -o "$work/time" -f '%M' "$rulegate" lint --no-cache --exit-zero --format concise . >/dev/null 2>&1
rss=$(tail -n 1 "$work/time")
echo "rulegate peak RSS (all rules): $((rss / 1024)) MiB"
# Peak RSS on eight copies of the corpus (memory must not grow with the
# findings held): all rules against ruff with the comparable selection,
# medians of $runs runs, in MiB. rulegate prints JSON (all of each finding,
# fixes included) and concise; ruff its default output.
peak_rss() { # peak_rss CMD...: median peak RSS in MiB
  local all=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$work/time" -f '%M' "$@" >/dev/null 2>&1 || true
    all+=("$(tail -n 1 "$work/time")")
  done
  printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)] / 1024}'
}
eight=$work/eight
for i in $(seq 8); do mkdir -p "$eight/copy$i" && cp -r "$std/." "$eight/copy$i/"; done
cd "$eight"
rss_json=$(peak_rss "$rulegate" lint --no-cache --exit-zero --format json .)
rss_concise=$(peak_rss "$rulegate" lint --no-cache --exit-zero --format concise .)
rss_ruff=$(peak_rss "$ruff" check --isolated --no-cache --exit-zero --select E402,TD,FIX,TID,S307 .)
echo "peak RSS, 8 copies ($((files * 8)) files): rulegate all rules ${rss_json} MiB (json), ${rss_concise} MiB (concise);" \
  "ruff --select E402,TD,FIX,TID,S307 ${rss_ruff} MiB ($(ratio "$rss_json" "$rss_ruff")x ruff, json)"
cd "$std"
rm -rf "$eight"
"$rulegate" lint --exit-zero --format concise . >/dev/null 2>&1 || true
measure "$rulegate" lint --exit-zero --format concise .; warm=$wall
"$ruff" check --isolated --select E402 --exit-zero . >/dev/null 2>&1 || true
measure "$ruff" check --isolated --select E402 --exit-zero .
row "rulegate lint, warm cache (all rules)" "$warm" "$cpu" "($(ratio "$warm" "$wall")x ruff warm)"
row "ruff check --select E402, warm cache" "$wall" "$cpu"

# Eight everyday team policies (examples/everyday-pack) against the same
# policies as ast-grep rules (benches/ast-grep), and relational constraints'
# cost: the same packs with every relation removed.
everyday=$here/examples/everyday-pack/rulegate.toml
count_rg=$("$rulegate" lint --config "$everyday" --no-cache --exit-zero --select TEAM02,TEAM03 --format concise . | grep -c ': TEAM0' || true)
count_sg=$( { "$astgrep" scan -c "$here/benches/ast-grep/sgconfig.yml" --json=stream . 2>/dev/null || true; } | wc -l)
measure "$rulegate" lint --config "$everyday" --no-cache --exit-zero --select TEAM02,TEAM03 --format concise .; rel_wall=$wall; rel_cpu=$cpu
measure "$astgrep" scan -c "$here/benches/ast-grep/sgconfig.yml" .; sg_wall=$wall; sg_cpu=$cpu
row "8 everyday policies: rulegate ($count_rg findings)" "$rel_wall" "$rel_cpu" "($(ratio "$rel_wall" "$sg_wall")x ast-grep wall, $(ratio "$rel_cpu" "$sg_cpu")x cpu)"
row "8 everyday policies: ast-grep scan ($count_sg findings)" "$sg_wall" "$sg_cpu"
flat=$(mktemp -d)
mkdir -p "$flat/custom-pack" "$flat/everyday-pack"
cp -r "$here/examples/custom-pack/fixes" "$flat/custom-pack/"
cp "$everyday" "$flat/everyday-pack/"
python3 "$here/scripts/strip_relations.py" "$here/examples/custom-pack/team.toml" "$flat/custom-pack/team.toml"
python3 "$here/scripts/strip_relations.py" "$here/examples/everyday-pack/everyday.toml" "$flat/everyday-pack/everyday.toml"
measure "$rulegate" lint --config "$flat/everyday-pack/rulegate.toml" --no-cache --exit-zero --select TEAM02,TEAM03 --format concise .
row "8 everyday policies, relations removed" "$wall" "$cpu" "(relational constraints: $(ratio "$rel_cpu" "$cpu")x cpu)"
rm -rf "$flat"

# sympy with lanes: the import graph against grimp, and the pre-commit case.
python3 -m pip download --no-deps -q -d "$work/wheel" sympy==1.14.0
python3 -c "import sys, zipfile, glob; [zipfile.ZipFile(w).extractall(sys.argv[2]) for w in glob.glob(sys.argv[1] + '/*.whl')]" "$work/wheel" "$work/sympy"
cd "$work/sympy"
cat > rulegate.toml <<'TOML'
[lanes.integration]
paths = ["**/tests/**", "**/testing/**", "**/benchmarks/**"]
[lanes.production]
paths = ["**"]
may_import = ["production"]
TOML
echo "== sympy 1.14.0 ($(find sympy -name '*.py' | wc -l) .py files), lanes config"
measure "$floor_bin" sympy
row "tree-sitter parse floor (read+parse)" "$wall" "$cpu"
measure env PYTHONPATH="$work/sympy" "$grimp_py" -c "import grimp; grimp.build_graph('sympy', cache_dir=None)"; grimp_wall=$wall; grimp_cpu=$cpu
measure "$rulegate" lint --no-cache --exit-zero --select LANE001 --format concise sympy
row "import graph: rulegate --select LANE001" "$wall" "$cpu" "($(ratio "$wall" "$grimp_wall")x grimp wall)"
row "import graph: grimp build_graph('sympy')" "$grimp_wall" "$grimp_cpu"
measure "$rulegate" lint --no-cache --exit-zero --format concise sympy
row "all rules" "$wall" "$cpu"
one=sympy/solvers/solvers.py
"$rulegate" lint --exit-zero --format concise sympy >/dev/null 2>&1 || true # a whole-repo cache
t_ruff=$(fast "$ruff" check --isolated --no-cache --select E402,TD,FIX --exit-zero "$one")
t_warm=$(fast "$rulegate" lint --exit-zero --format concise "$one")
# Edited: the file changes every run (the rest of the cache is warm).
edit() { echo "# edit $RANDOM$RANDOM" >> "$one"; "$rulegate" lint --exit-zero --format concise "$one"; }
t_edit=$(fast edit)
t_cold=$(fast "$rulegate" lint --no-cache --exit-zero --format concise "$one")
printf '%-52s %7.4f s\n' "one file ($one): ruff --select E402,TD,FIX" "$t_ruff"
printf '%-52s %7.4f s  (%sx ruff)\n' "one file, warm cache" "$t_warm" "$(ratio "$t_warm" "$t_ruff")"
printf '%-52s %7.4f s  (%sx ruff)\n' "one file, edited (the rest of the cache warm)" "$t_edit" "$(ratio "$t_edit" "$t_ruff")"
printf '%-52s %7.4f s  (%sx ruff)\n' "one file, --no-cache" "$t_cold" "$(ratio "$t_cold" "$t_ruff")"

# The language server: latency from didOpen, and from an incremental
# didChange to the publishDiagnostics of that version, on a 3,003-line file,
# against `ruff server` with comparable rules (E402 and the TODO rules;
# ruff's E402,TD,FIX), both pushing diagnostics to pytest-lsp's client.
# Medians of 10 opens and 50 edits (scripts/lsp_latency.py), and the open
# without E999, which needs no parse: the breakdown of an open; and opens
# of saved files `rulegate lint` has seen, answered from its result cache.
lsp_py=$(venv_tool pytest-lsp pytest-lsp==1.0.1)/bin/python
"$lsp_py" "$here/scripts/lsp_latency.py" "$rulegate" "$ruff" 50
