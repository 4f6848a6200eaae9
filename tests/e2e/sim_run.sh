#!/usr/bin/env bash
# arena-sim run end to end on the real recordings in ../shared/data/binance with the example
# strategies: a report, identical (but for timing) across two runs; and the command's exit codes.
set -euo pipefail
arena=${ARENA_SIM_BIN:?}
src=${CLAW_SOURCE_DIR:?}
data=${CLAW_SHARED_DATA:?}/binance
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
strategies="$src/scripts/strategies"
feeds=(--feed "$data/hftbacktest_spot_btcusdt_20240808.gz"
       --feed "$data/hftbacktest_spot_ethusdt_20240808.gz"
       --feed "$data/hftbacktest_usdm_btcusdt_20240808.gz")
agents=(--agent "hold=python3 $strategies/buy_and_hold.py"
        --agent "ma=python3 $strategies/ma_crossover.py --fast 5 --slow 20"
        --agent "random=python3 $strategies/random_trader.py --seed 7 --rate 0.1")

for n in 1 2; do
  "$arena" run "${feeds[@]}" "${agents[@]}" --step 1s --step-timeout 60s --report "$work/report$n.json" \
    > "$work/board$n.txt" 2> "$work/err$n.txt" || fail "run $n exited $?: $(cat "$work/err$n.txt")"
done
jq -e '.agents | length == 3' "$work/report1.json" >/dev/null || fail "report has no 3 agents"
jq -e '[.agents[].status] == ["ok","ok","ok"]' "$work/report1.json" >/dev/null ||
  fail "an agent failed: $(jq -c '[.agents[] | {name, status, detail}]' "$work/report1.json")"
jq -e '.events.total > 10000 and .events.book_ticker > 0 and .events.trade > 0' \
  "$work/report1.json" >/dev/null || fail "event counts: $(jq -c .events "$work/report1.json")"
jq -e '.skipped_by_type.depthUpdate > 0' "$work/report1.json" >/dev/null || fail "depth frames not counted"
jq -e '[.feeds[].sha256 | length] == [64,64,64]' "$work/report1.json" >/dev/null || fail "feed hashes"
jq -e '.agents[0].fills >= 1 and (.agents[0].positions | length) == 1' "$work/report1.json" >/dev/null ||
  fail "buy and hold did not buy"
jq -e '.agents[2].fills >= 1' "$work/report1.json" >/dev/null || fail "random trader did not trade"
jq -e '.timing.events_per_second > 0' "$work/report1.json" >/dev/null || fail "no timing"
cmp <(jq -S 'del(.timing)' "$work/report1.json") <(jq -S 'del(.timing)' "$work/report2.json") ||
  fail "two runs of the same inputs gave different reports"
cmp <(jq 'del(.timing)' "$work/report1.json") <(jq 'del(.timing)' "$work/report2.json") ||
  fail "key order differs between runs"
grep -q '^RANK' "$work/board1.txt" || fail "no leaderboard printed"
cmp "$work/board1.txt" "$work/board2.txt" || fail "leaderboards differ"

# The gate: a condition that holds exits 10 and names the agent; one that does not exits 0.
set +e
"$arena" run "${feeds[@]:0:2}" "${agents[@]:0:2}" --step 1s --step-timeout 60s --fail-if 'hold.trades>=0' \
  > /dev/null 2> "$work/gate.txt"
rc=$?
set -e
[ $rc -eq 10 ] || fail "--fail-if that holds exited $rc"
grep -q "fail-if: hold: hold.trades>=0" "$work/gate.txt" || fail "gate message: $(cat "$work/gate.txt")"
"$arena" run "${feeds[@]:0:2}" --fail-if 'liquidations>0' > /dev/null 2>&1 ||
  fail "--fail-if that does not hold failed"

# Bad input: clear errors, documented exit codes, no report written.
printf '{"e":"trade","E":1,"T":1,"s":"BTCUSDT","t":1,"p":"1.0","q":"1","m":false}\nnot json\n' > "$work/bad.jsonl"
set +e
"$arena" run --feed "$work/bad.jsonl" --strict --report "$work/bad-report.json" 2> "$work/strict.txt"
rc=$?
set -e
[ $rc -eq 8 ] || fail "--strict on a malformed line exited $rc"
grep -q "bad.jsonl:2" "$work/strict.txt" || fail "strict error does not name file:line: $(cat "$work/strict.txt")"
[ ! -e "$work/bad-report.json" ] || fail "a failed run wrote a report"
"$arena" run --feed "$work/bad.jsonl" --json | jq -e '.malformed == 1 and (.malformed_samples[0] | test("bad.jsonl:2"))' \
  >/dev/null || fail "malformed line not counted"
set +e
"$arena" run --feed "$work/missing.gz" 2>/dev/null; rc=$?
[ $rc -eq 5 ] || fail "missing feed exited $rc"
"$arena" run --feed "$work/bad.jsonl" --agent 'noequals' 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "bad --agent exited $rc"
"$arena" run --feed "$work/bad.jsonl" --fail-if 'profit>1' 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "bad --fail-if exited $rc"
set -e

# A synthetic feed: same seed, same bytes; replayed with the strategies.
"$arena" synth --symbols BTCUSDT,ETHUSDT --duration 10m --seed 7 --out "$work/s1.jsonl" >/dev/null
"$arena" synth --symbols BTCUSDT,ETHUSDT --duration 10m --seed 7 --out "$work/s2.jsonl" >/dev/null
cmp "$work/s1.jsonl" "$work/s2.jsonl" || fail "synth is not deterministic"
"$arena" run --feed "$work/s1.jsonl" "${agents[@]}" --step 1s --step-timeout 60s --json > "$work/synth-report.json" ||
  fail "run on the synthetic feed failed"
jq -e '[.agents[].status] == ["ok","ok","ok"]' "$work/synth-report.json" >/dev/null || fail "synthetic run"
echo "sim_run: ok"
