#!/usr/bin/env bash
# Issue [evidence], item 4: what the keyed journal costs `ingest`, A/B in the same run.
# Each side is NAME=BINARY: a binary built with `--features bench-no-journal` (no
# journaling trigger, nothing sealed) against ordinary ones. Same generated Maildir, a
# fresh store each time, the sides alternated ROUNDS times; elapsed and CPU (user + sys)
# time, since the machine is shared. Usage:
#   SIDES="off=target/a/mailroom on=target/debug/mailroom" SIZE=2000 ROUNDS=2 \
#     bash bench/journal_ab.sh
set -euo pipefail
SIZE=${SIZE:-2000}
ROUNDS=${ROUNDS:-2}
WORK=${WORK:-/tmp/journal-ab}
mkdir -p "$WORK"
[ -d "$WORK/mbox-$SIZE" ] || python3 "$(dirname "$0")/gen_mailbox.py" "$SIZE" "$WORK/mbox-$SIZE" --seed 1
for round in $(seq "$ROUNDS"); do
  for side in $SIDES; do
    name=${side%%=*}
    bin=${side#*=}
    rm -f "$WORK"/m.db*
    /usr/bin/time -f "$name round $round: ingest %e s elapsed, %U s user, %S s sys, %M KB" \
      "$bin" --db "$WORK/m.db" ingest "$WORK/mbox-$SIZE" > /dev/null 2> "$WORK/err"
    tail -1 "$WORK/err"
    /usr/bin/time -f "$name round $round: log verify %e s elapsed, %U s user, %S s sys" \
      "$bin" --db "$WORK/m.db" log verify > "$WORK/verify" 2> "$WORK/err" || true
    tail -1 "$WORK/err"
    echo "$name round $round: $(head -c 60 "$WORK/verify"), $(sqlite3 "$WORK/m.db" \
      "SELECT COUNT(*) || ' entries, ' || COALESCE(SUM(length(payload)), 0) || ' payload bytes' FROM journal")"
  done
done
