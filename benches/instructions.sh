#!/usr/bin/env bash
# Instructions per operation for the benchmark suite's side-by-side comparisons (issue #28):
# each case of each bench's `-- count` mode runs twice, at N and 2N operations, under
# `valgrind --tool=callgrind`; (count at 2N - count at N) / N is one operation, the set-up
# cancelled out. Load on the machine does not move these figures, as it moves wall time.
#
#   bash benches/instructions.sh [GROUP...]
#
# Groups: cache (SQLite point select styles against rusqlite), rows (1M-row reads into
# structs and rows, SQLite and PostgreSQL), insert (SQLite bulk insert), pool (checkout and
# return, one thread, against r2d2), postgres (point selects and a one-statement request),
# reflect (SQLite, per table), tenants (a tenant switch at 10 / 1,000 / 10,000 tenants),
# sea-query (the cold compile, its own crate), peers (the async engine against sqlx and
# tokio-postgres, its own crate). No group: all of them. PostgreSQL groups need the server of
# "What the tests need" (`SQLCORE_TEST_PG_URL`).
set -euo pipefail
cd "$(dirname "$0")/.."

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(cache rows insert pool postgres reflect tenants sea-query peers)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The executable of a bench target, built in the bench profile.
bench_bin() {
    cargo bench --bench "$1" --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p' | tail -1
}

# The instructions callgrind collected in a run of `$@` (the first argument: a
# `--toggle-collect` pattern, or "" to collect the whole run).
collected() {
    local toggle=$1
    shift
    local file="$out/callgrind.out"
    local collect=()
    [ -n "$toggle" ] && collect=(--collect-atstart=no "--toggle-collect=$toggle")
    valgrind --tool=callgrind "${collect[@]}" --callgrind-out-file="$file" "$@" \
        >"$out/log" 2>&1 || { cat "$out/log" >&2; return 1; }
    sed -n 's/^\(summary\|totals\): \([0-9]*\).*/\2/p' "$file" | tail -1
}

# `per_op LABEL TOGGLE N BIN ARGS...`: ARGS with `{N}` replaced by N, then by 2N; prints
# LABEL and the instructions of one operation.
per_op() {
    local label=$1 toggle=$2 n=$3
    shift 3
    local small=() large=()
    for arg in "$@"; do
        small+=("${arg//\{N\}/$n}")
        large+=("${arg//\{N\}/$((2 * n))}")
    done
    local a b
    a=$(collected "$toggle" "${small[@]}")
    b=$(collected "$toggle" "${large[@]}")
    printf '%-58s %10d\n' "$label" $(((b - a) / n))
}

for group in "${groups[@]}"; do
    case $group in
    cache)
        echo "## SQLite point select by key (in memory), per select"
        bin=$(bench_bin cache)
        per_op "raw rusqlite prepare_cached + query_row" '*raw_point_select*' 2000 "$bin" count raw '{N}'
        for style in built by-ref prepared-one prepared; do
            per_op "sqlcore $style" '*measured*' 2000 "$bin" count "$style" '{N}'
        done
        ;;
    rows)
        bin=$(bench_bin from_row)
        for backend in sqlite postgres; do
            echo "## $backend: rows read and decoded, per row"
            for case in raw all_as query_all_as iter all scalars mappings; do
                per_op "$backend $case" '*measured*' 20000 "$bin" count "$backend" "$case" '{N}'
            done
        done
        ;;
    insert)
        echo "## SQLite file: bulk insert, per row"
        bin=$(bench_bin sqlite_insert)
        for case in raw many returning; do
            per_op "insert $case" '*measured*' 2000 "$bin" count "$case" '{N}'
        done
        ;;
    pool)
        echo "## pool checkout and return, one thread (the whole run counted), per checkout"
        bin=$(bench_bin pool)
        for backend in sqlite pg; do
            for contender in r2d2 sqlcore; do
                per_op "$backend $contender" '' 20000 "$bin" count "$contender" "$backend" 1 '{N}'
            done
        done
        ;;
    postgres)
        echo "## PostgreSQL point select (the whole run counted, client only), per select"
        bin=$(bench_bin postgres)
        for style in raw point prepared point-autocommit request; do
            per_op "postgres $style" '' 2000 "$bin" count "$style" '{N}'
        done
        ;;
    reflect)
        echo "## SQLite reflection, per table"
        bin=$(bench_bin reflect)
        for case in raw core; do
            per_op "reflect $case" '*measured*' 300 "$bin" count sqlite "$case" '{N}'
        done
        ;;
    tenants)
        echo "## tenant switch (compiled-cache lookup + the tenant's SQL), per switch"
        bin=$(bench_bin tenants)
        for tenants in 10 1000 10000; do
            per_op "switch among $tenants tenants" '' 20000 "$bin" count switch "$tenants" '{N}'
        done
        ;;
    sea-query)
        echo "## cold compile against sea-query"
        cargo run --quiet --release --manifest-path benches/sea_query/Cargo.toml \
            --target-dir target -- --instructions
        ;;
    peers)
        echo "## async engine against sqlx and tokio-postgres"
        cargo run --quiet --release --manifest-path benches/peers/Cargo.toml \
            --target-dir target -- --instructions
        ;;
    *)
        echo "unknown group $group" >&2
        exit 2
        ;;
    esac
done
