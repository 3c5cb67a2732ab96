#!/usr/bin/env bash
# Side-by-side ingest benchmark: mailroom (release build) against the Python baseline.
#
#   bash bench/run.sh
#
# Generates Maildirs of 2,000 and 10,000 mixed messages (bench/gen_mailbox.py, fixed seed),
# ingests each with `mailroom ingest` and with bench/baseline.py, both under GNU time, and
# prints a Markdown table. The 2,000 row is there to show that peak memory does not grow
# with the size of the mailbox.
#
# Needs cargo, python3 with pypdf (pip install -r bench/requirements.txt) and GNU time
# (apt-get install -y time). Optional environment:
#   SIZES="500 2000"    mailbox sizes to run (default "2000 10000")
#   MAILROOM=path       an already built mailroom binary (skips `cargo build --release`)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sizes=${SIZES:-2000 10000}
seed=1

fail() { echo "bench/run.sh: $*" >&2; exit 2; }
[ -x /usr/bin/time ] || fail "GNU time is missing: apt-get install -y time"
python3 -c 'import pypdf' 2>/dev/null || fail "pypdf is missing: pip install -r bench/requirements.txt"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailroom-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -z "${MAILROOM:-}" ]; then
    (cd "$root" && cargo build --release --quiet)
    MAILROOM="$root/target/release/mailroom"
fi

# measure OUTPUT COMMAND...: run COMMAND with stdout discarded; write "seconds max_rss_kb" to OUTPUT.
measure() {
    local out=$1
    shift
    /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null
}

for n in $sizes; do
    echo "Generating $n messages..." >&2
    python3 "$root/bench/gen_mailbox.py" "$n" "$tmp/mbox$n" --seed "$seed"
    # The baseline gets its own hard-linked copy, in case mailroom moves what it settles.
    cp -al "$tmp/mbox$n" "$tmp/mbox$n-py"
    # Flush the generator's dirty pages first: otherwise their writeback lands on
    # whichever run comes first and the comparison measures the disk, not the programs.
    sync
    echo "mailroom ingest ($n)..." >&2
    measure "$tmp/rust-$n.time" "$MAILROOM" --db "$tmp/rust-$n.db" ingest "$tmp/mbox$n"
    sync
    echo "Python baseline ($n)..." >&2
    measure "$tmp/py-$n.time" python3 "$root/bench/baseline.py" "$tmp/py-$n.db" "$tmp/mbox$n-py"
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores; $(python3 --version), pypdf $(python3 -c 'import pypdf; print(pypdf.__version__)')"
echo
echo "| messages | implementation | seconds | msg/s | peak RSS (MB) | time vs mailroom |"
echo "|---:|---|---:|---:|---:|---:|"
for n in $sizes; do
    read -r rust_s rust_kb < "$tmp/rust-$n.time"
    read -r py_s py_kb < "$tmp/py-$n.time"
    awk -v n="$n" -v rs="$rust_s" -v rk="$rust_kb" -v ps="$py_s" -v pk="$py_kb" 'BEGIN {
        printf "| %d | mailroom | %.1f | %.0f | %.0f | 1.0× |\n", n, rs, (rs > 0 ? n / rs : 0), rk / 1024
        printf "| %d | Python baseline | %.1f | %.0f | %.0f | %.1f× |\n", n, ps, (ps > 0 ? n / ps : 0), pk / 1024, (rs > 0 ? ps / rs : 0)
    }'
done
