#!/usr/bin/env bash
# Whole-command timing of `arena-sim run` (BENCHMARKS.md "Replay"): process start, feed hashing,
# reading, the engine, strategies, the report. Prints, per run, the wall time measured here and
# the report's `timing` object (wall_seconds and events_per_second cover the replay loop only:
# from the first event read to the end, after the feed files were hashed and agents started).
#
#   1. 0 agents on a synthetic 10M-event file (arena-sim synth --symbols BTCUSDT,ETHUSDT
#      --duration 14h --interval-ms 10 --seed 7: 10,082,375 events, 1.9 GB), read from the
#      page cache (warmed with cat first);
#   2. 0 agents on the real recordings in ../shared/data/binance: the BTCUSDT spot file alone,
#      then the three hftbacktest_*.gz merged;
#   3. the example strategies (scripts/strategies: buy_and_hold, ma_crossover, random_trader,
#      as scripts/demo runs them) on the BTCUSDT spot recording with --step 1s.
#
# Usage: scripts/bench/replay.sh [BUILD_DIR] [SYNTH_FILE]
#   BUILD_DIR   default build-rel (a Release build: cmake --build build-rel --target claw)
#   SYNTH_FILE  the synthetic file to use; made (and kept) there if missing. Default: a
#               temporary file, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${1:-build-rel}
claw="$build/cli/claw"
[ -x "$claw" ] || { echo "no $claw: build first (cmake --build $build --target claw)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# arena-sim is claw under a second name (argv[0] dispatch in cli/main.cpp).
ln -sf "$(realpath "$claw")" "$work/arena-sim"
arena="$work/arena-sim"
export CLAW_HOME="$work/home"

synth=${2:-$work/synth-10m.jsonl}
data="$root/../shared/data/binance"
strategies="$root/scripts/strategies"

# run LABEL ARGS...: one `arena-sim run`, report to a file, one summary line.
run() {
  local label=$1
  shift
  local start end
  start=$(date +%s%N)
  "$arena" run --no-progress --report "$work/report.json" "$@" >"$work/stdout.txt" \
    2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
  end=$(date +%s%N)
  python3 - "$work/report.json" "$label" "$(( (end - start) / 1000000 ))" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["timing"]
print(f"{sys.argv[2]:<44} events {r['events']['total']:>10,}  steps {r['steps']:>10,}  "
      f"command {int(sys.argv[3]) / 1000:7.2f} s  replay {t['wall_seconds']:7.2f} s  "
      f"{t['events_per_second'] / 1e6:6.3f} M events/s")
EOF
}

if [ ! -f "$synth" ]; then
  start=$(date +%s%N)
  "$arena" synth --symbols BTCUSDT,ETHUSDT --duration 14h --interval-ms 10 --seed 7 \
    --out "$synth"
  end=$(date +%s%N)
  echo "synth: $(( (end - start) / 1000000 )) ms"
fi
cat "$synth" >/dev/null  # into the page cache
run "synthetic ($(basename "$synth")), 0 agents" --feed "$synth"

if [ -f "$data/hftbacktest_spot_btcusdt_20240808.gz" ]; then
  run "spot BTCUSDT recording, 0 agents" --feed "$data/hftbacktest_spot_btcusdt_20240808.gz"
  run "3 recordings merged, 0 agents" \
    --feed "$data/hftbacktest_spot_btcusdt_20240808.gz" \
    --feed "$data/hftbacktest_spot_ethusdt_20240808.gz" \
    --feed "$data/hftbacktest_usdm_btcusdt_20240808.gz"
  run "spot BTCUSDT recording, 3 strategies, 1s" \
    --feed "$data/hftbacktest_spot_btcusdt_20240808.gz" \
    --agent "hold=python3 $strategies/buy_and_hold.py" \
    --agent "macross=python3 $strategies/ma_crossover.py" \
    --agent "random=python3 $strategies/random_trader.py --seed 7" \
    --step 1s
else
  echo "recordings: skipped, $data/hftbacktest_spot_btcusdt_20240808.gz not found"
fi
