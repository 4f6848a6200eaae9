#!/usr/bin/env bash
# Sealed commit-reveal trades through the real `claw` and `arena-sim serve` (PROTOCOL.md §6):
# open, show without and with each view-key tier (and a wrong key), reveal, close with PnL,
# list filters, a price off the tape (REVEAL_MISMATCH), edited local reveal data (refused before
# any request), and crash safety: the reveal file exists before the commitment is sent, survives
# a kill mid-request, and reveals a commitment whose answer was lost.
set -euo pipefail
claw=${CLAW_BIN:?}
arena=${ARENA_SIM_BIN:?}
tmp=$(mktemp -d)
server_pid=
other_pids=()
cleanup() {
  for p in "${other_pids[@]}" $server_pid; do { kill -9 "$p"; wait "$p" || true; } 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
unset CLAW_SERVER CLAW_KEY CLAW_PROFILE CLAW_AGENT_ID CLAW_OUTPUT XDG_CONFIG_HOME CLAW_VIEW_KEY
export CLAW_HOME=$tmp/home
export CLAW_KEYSTORE_PASSPHRASE='e2e pass'
export NO_COLOR=1

# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"

"$claw" --json keygen --name alice --kdf-ops 1 --kdf-mem 8192 >/dev/null

serve_arena 11 ARENA_ARENA_STARTING_BALANCE=100000000 ARENA_SERVER_RATE_LIMITS=false
run 0 "$claw" config set server "$base"
run 0 "$claw" config set key alice
run 0 "$claw" --json register --name alice
agent_id=$(jq -r .agent_id "$tmp/out")
claim_url=$(jq -r .claim_url "$tmp/out")
code=$(jq -r .verification_code "$tmp/out")
run 0 "$claw" claim "$claim_url" --code "$code"
run 0 "$claw" --json health
jqo '.reveal.period >= 0'
period=$(jq -r .reveal.period "$tmp/out")
# A symbol with a price on the tape.
for _ in $(seq 1 50); do
  run 0 "$claw" --json prices
  sym=$(jq -r '[.prices[] | select(.last != null or .mark != null)][0].symbol // empty' "$tmp/out")
  [ -n "$sym" ] && break
  sleep 0.2
done
[ -n "$sym" ] || fail "no priced symbol"
revdir=$CLAW_HOME/reveals/$agent_id

# ---- open, show hidden, view keys of each tier, reveal ----
run 0 "$claw" --json commit open LONG --lobs 500 --symbol "$sym"
jqo '.status == "committed" and .public.lobs == 500 and .public.side == "LONG"'
t1=$(jq -r .trade_id "$tmp/out")
h1=$(jq -r .commitment_hash "$tmp/out")
[ -f "$revdir/$h1.json" ] || fail "no reveal file $revdir/$h1.json"
[ "$(stat -c %a "$revdir/$h1.json")" = 600 ] || fail "reveal file not 0600"
[ "$(stat -c %a "$revdir")" = 700 ] || fail "reveal dir not 0700"
! grep -q "$sym" "$revdir/$h1.json" || fail "the symbol is readable in the reveal file"
run 0 "$claw" --json commit show "$t1"
jqo '.symbol == null and .price == null and .revealed == false and .sealed == true and (.view == null)'
run 0 "$claw" --json viewkey derive --trade "$t1"
jqo '.tier == "trade" and (.view_key | startswith("vk1."))'
jq -r .view_key "$tmp/out" >"$tmp/vk.trade"
run 0 "$claw" viewkey derive --period "$period"
cp "$tmp/out" "$tmp/vk.period"
run 0 "$claw" viewkey derive --master
cp "$tmp/out" "$tmp/vk.master"
for tier in trade period master; do
  run 0 "$claw" --json commit show "$t1" --view-key-file "$tmp/vk.$tier"
  jqo '.view.tier == "'$tier'" and .view.symbol == "'"$sym"'" and .symbol == null'
done
CLAW_VIEW_KEY=$(cat "$tmp/vk.master") run 0 "$claw" commit show "$t1"
grep -q "^view.tier: *master$" "$tmp/out" || fail "show table: $(cat "$tmp/out")"
# A wrong key (another period's) opens nothing and leaks nothing.
run 0 "$claw" viewkey derive --period $((period + 1))
cp "$tmp/out" "$tmp/vk.wrong"
run 3 "$claw" --json commit show "$t1" --view-key-file "$tmp/vk.wrong"
grep -q INVALID_VIEW_KEY "$tmp/out" || fail "wrong key: $(cat "$tmp/out")"
! grep -q "$sym" "$tmp/out" || fail "wrong key answer leaks the symbol"
# A view key is never accepted on the command line.
run 2 "$claw" commit show "$t1" --view-key "$(cat "$tmp/vk.trade")"
run 0 "$claw" --json commit reveal "$t1"
jqo '.status == "revealed" and .symbol == "'"$sym"'" and .revealed == true'
run 0 "$claw" --json commit show "$t1"
jqo '.symbol == "'"$sym"'" and .price != null'

# ---- close: PnL comes back ----
run 0 "$claw" --json commit open SHORT --lobs 1000 --symbol "$sym"
t2=$(jq -r .trade_id "$tmp/out")
run 0 "$claw" --json commit close "$t2"
jqo '.status == "closed" and .opening_trade.trade_id == "'"$t2"'" and .opening_trade.revealed == true and (.pnl_lobs | test("^-?[0-9]+\\.[0-9]{4}$"))'
run 0 "$claw" commit close "$t1"
grep -q "^pnl_lobs: " "$tmp/out" || fail "close table: $(cat "$tmp/out")"

# ---- list filters ----
run 0 "$claw" --json commit open LONG --lobs 200 --symbol "$sym"
t3=$(jq -r .trade_id "$tmp/out")
h3=$(jq -r .commitment_hash "$tmp/out")
run 0 "$claw" --json commit list --revealed false
jqo '[.commitments[].trade_id] == ["'"$t3"'"]'
run 0 "$claw" --json commit list --revealed true
jqo '(.commitments | length) >= 2 and all(.commitments[]; .revealed)'
run 0 "$claw" commit list
grep -q "^TRADE_ID" "$tmp/out" && grep -q "$t3 *committed" "$tmp/out" || fail "list table: $(cat "$tmp/out")"

# ---- edited reveal data is refused locally; a price off the tape is REVEAL_MISMATCH ----
cp "$revdir/$h3.json" "$tmp/h3.bak"
python3 - "$revdir/$h3.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p)); c = d["cipher"]["ciphertext"]
d["cipher"]["ciphertext"] = ("B" if c[5] == "A" else "A").join([c[:5], c[6:]])
json.dump(d, open(p, "w"))
PY
run 8 "$claw" commit reveal "$t3"
grep -q "edited, truncated or sealed under another key" "$tmp/err" || fail "tamper: $(cat "$tmp/err")"
cp "$tmp/h3.bak" "$revdir/$h3.json"
run 0 "$claw" --json commit open LONG --lobs 100 --symbol "$sym" --price 0.0001
t4=$(jq -r .trade_id "$tmp/out")
run 4 "$claw" --json commit reveal "$t4"
jqo '.error.code == "REVEAL_MISMATCH" and .error.details.reason == "price_off_tape"'

# ---- crash safety ----
# A server that accepts and never answers: the reveal file is on disk before the request is
# sent, and a kill in the middle leaves it readable.
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$tmp/hang.port" &
other_pids+=($!)
for _ in $(seq 1 50); do [ -s "$tmp/hang.port" ] && break; sleep 0.1; done
hang="http://127.0.0.1:$(head -n 1 "$tmp/hang.port")"
before=$(ls "$revdir" | wc -l)
"$claw" --server "$hang" commit open LONG --lobs 300 --symbol "$sym" --price 100 --no-seal >"$tmp/hang.out" 2>&1 &
cpid=$!
for _ in $(seq 1 100); do [ "$(ls "$revdir" | wc -l)" -gt "$before" ] && break; sleep 0.1; done
[ "$(ls "$revdir" | wc -l)" -gt "$before" ] || fail "no reveal file while the commitment is in flight"
kill -9 "$cpid"; wait "$cpid" 2>/dev/null || true
hk=$(ls -t "$revdir" | head -n 1); hk=${hk%.json}
# The arena never got it: reveal says so (not found), from data that is still readable.
run 5 "$claw" commit reveal "$hk"
grep -q "the arena has no commitment $hk" "$tmp/err" || fail "crash recovery: $(cat "$tmp/err")"
# A lost answer: the arena has the commitment, claw never heard; reveal finds it by hash.
python3 "$(dirname "$0")/drop_proxy.py" "${base##*:}" POST >"$tmp/proxy" &
other_pids+=($!)
for _ in $(seq 1 50); do [ -s "$tmp/proxy" ] && break; sleep 0.1; done
proxy="http://127.0.0.1:$(head -n 1 "$tmp/proxy")"
before=$(ls "$revdir" | wc -l)
# libcurl re-sends a request whose kept-alive connection dropped; the arena then answers
# REPLAYED_NONCE and claw finds its trade by hash (exit 0). Without that re-send claw reports
# the network failure (exit 6) and keeps the data; either way the reveal works.
rc=0
"$claw" --server "$proxy" --json commit open LONG --lobs 400 --symbol "$sym" >"$tmp/out" 2>"$tmp/err" || rc=$?
hl=$(ls -t "$revdir" | head -n 1); hl=${hl%.json}
if [ "$rc" = 0 ]; then
  jqo '.status == "committed" and .recovered == true and .commitment_hash == "'"$hl"'"'
else
  [ "$rc" = 6 ] || fail "lost answer exited $rc: $(cat "$tmp/err")"
  grep -q "reveal data kept in" "$tmp/err" || fail "lost answer: $(cat "$tmp/err")"
fi
run 0 "$claw" --json commit reveal "$hl"
jqo '.status == "revealed" and .lobs == 400 and .commitment_hash == "'"$hl"'"'

# ---- --all-due leaves trades of the current period alone ----
run 0 "$claw" --json commit reveal --all-due
jqo '.revealed == [] and .failed == 0'
run 0 "$claw" --json commit show "$t3"
jqo '.status == "committed" and .symbol == null'
run 2 "$claw" commit reveal "$t3" --all-due

# ---- leaderboard: sealed rankings of the period ----
run 0 "$claw" --json leaderboard --period "$period"
jqo '.sealed.period == '"$period"' and any(.sealed.rankings[]; .agent == "alice")'
run 0 "$claw" leaderboard
grep -q "^sealed trades, period $period" "$tmp/out" || fail "leaderboard table: $(cat "$tmp/out")"
echo "commit_reveal.sh: ok"
