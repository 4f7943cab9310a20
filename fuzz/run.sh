#!/bin/sh
# Runs every libFuzzer target of a HK_FUZZ=ON build for SECONDS each, one
# after the other, at the lowest CPU priority. New interesting inputs go to
# BUILD/fuzz-corpus/<t>/ (the committed fuzz/corpus/<t>/ is only read);
# crashers to BUILD/fuzz-artifacts/; each run's log to BUILD/fuzz-logs/<t>.log,
# whose last stats line (cov, ft, exec/s, total runs) is printed.
# usage: fuzz/run.sh BUILD SECONDS [TARGET...]
set -eu
build=$1; seconds=$2; shift 2
src=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
    set -- $(cd "$build/fuzz" && ls fuzz_* 2>/dev/null | sed 's/^fuzz_//')
fi
mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts" "$build/fuzz-logs"
status=0
for t in "$@"; do
    bin="$build/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz: no $bin" >&2; status=1; continue; }
    mkdir -p "$build/fuzz-corpus/$t"
    dict=""
    [ -f "$src/dict/$t.dict" ] && dict="-dict=$src/dict/$t.dict"
    # The CLI target prints a usage error per input: silence the target's
    # stdout/stderr (libFuzzer keeps its own report stream).
    mask=0
    [ "$t" = cli ] && mask=3
    echo "fuzz: $t for ${seconds}s"
    if nice -n 19 "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
        -timeout=10 -print_final_stats=1 -close_fd_mask=$mask $dict \
        -artifact_prefix="$build/fuzz-artifacts/$t-" \
        "$build/fuzz-corpus/$t" "$src/corpus/$t" >"$build/fuzz-logs/$t.log" 2>&1; then
        :
    else
        status=1
        echo "fuzz: $t FOUND A PROBLEM, see $build/fuzz-logs/$t.log and $build/fuzz-artifacts/" >&2
    fi
    grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$build/fuzz-logs/$t.log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
        "$build/fuzz-logs/$t.log" || true
done
exit $status
