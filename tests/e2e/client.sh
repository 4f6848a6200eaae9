#!/usr/bin/env bash
# `claw` as an arena client against a real `arena-sim serve`: config and profiles, register and
# claim, market and limit orders, a partial fill, cancel, positions and portfolio consistent with
# the orders, --json documents, table output, and one check per exit-code class.
set -euo pipefail
claw=${CLAW_BIN:?}
arena=${ARENA_SIM_BIN:?}
tmp=$(mktemp -d)
server_pid=
proxy_pids=()
cleanup() {
  for p in "${proxy_pids[@]}" $server_pid; do { kill -9 "$p"; wait "$p" || true; } 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
unset CLAW_SERVER CLAW_KEY CLAW_PROFILE CLAW_AGENT_ID CLAW_OUTPUT XDG_CONFIG_HOME
export CLAW_HOME=$tmp/home
export CLAW_KEYSTORE_PASSPHRASE='e2e pass'
export NO_COLOR=1

# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"

"$claw" --json keygen --name alice --kdf-ops 1 --kdf-mem 8192 >/dev/null
"$claw" --json keygen --name bob --kdf-ops 1 --kdf-mem 8192 >/dev/null

# A rich arena so a big market order outruns the displayed book (a partial fill), and no 429s
# for the burst of requests below.
serve_arena 11 ARENA_ARENA_STARTING_BALANCE=100000000 ARENA_SERVER_RATE_LIMITS=false

# ---- config and profiles ----
run 5 "$claw" config get server
grep -q "'server' is not set in profile 'default'" "$tmp/err" || fail "config get unset: $(cat "$tmp/err")"
run 0 "$claw" config set server "$base/"
run 0 "$claw" config set key alice
run 0 "$claw" config get server
[ "$(cat "$tmp/out")" = "$base" ] || fail "server stored as $(cat "$tmp/out")"
[ "$(stat -c %a "$CLAW_HOME/config.toml")" = 600 ] || fail "config.toml is not 0600"
run 2 "$claw" config set output yaml
run 2 "$claw" config set colour red
run 0 "$claw" --profile other config set server http://127.0.0.1:1
# Without CLAW_HOME the file lives under $XDG_CONFIG_HOME/claw.
(unset CLAW_HOME; XDG_CONFIG_HOME=$tmp/xdg "$claw" -q config set output json) || fail "config set under XDG"
grep -q '^output = "json"$' "$tmp/xdg/claw/config.toml" || fail "no \$XDG_CONFIG_HOME/claw/config.toml"
run 0 "$claw" --json config list
jqo '.selected_profile == "default" and .profiles.other.server == "http://127.0.0.1:1" and .profiles.default.key == "alice"'
# Flags win over the environment, the environment over the file.
run 0 "$claw" --json health
jqo '.status == "healthy"'
CLAW_SERVER=http://127.0.0.1:1 run 0 "$claw" --server "$base" --json health
CLAW_PROFILE=other run 0 "$claw" --server "$base" health
run 0 "$claw" health
grep -q '^status: *healthy$' "$tmp/out" || fail "health table: $(cat "$tmp/out")"

# ---- registration and the human's claim ----
run 0 "$claw" --json register --name alice --description "e2e client"
jqo '.status == "pending_claim" and (.claim_url | startswith("'"$base"'/claim/"))'
agent_id=$(jq -r .agent_id "$tmp/out")
claim_url=$(jq -r .claim_url "$tmp/out")
code=$(jq -r .verification_code "$tmp/out")
run 0 "$claw" config get agent_id
[ "$(cat "$tmp/out")" = "$agent_id" ] || fail "agent_id not stored in the profile"
run 0 "$claw" --json me
jqo '.name == "alice" and .status == "pending_claim" and .agent_id == "'"$agent_id"'"'
run 3 "$claw" claim "$claim_url" --code nope-0000
grep -q 'error: WRONG_CODE: the verification code does not match' "$tmp/err" || fail "wrong code: $(cat "$tmp/err")"
grep -q 'hint: check the code your agent showed you' "$tmp/err" || fail "no hint: $(cat "$tmp/err")"
run 0 "$claw" claim "$claim_url" --code "$code"
grep -q '^claimed agent alice' "$tmp/out" || fail "claim output: $(cat "$tmp/out")"
grep -q 'owner token (shown once; keep it safe): claw_owner_' "$tmp/out" || fail "claim output: $(cat "$tmp/out")"
run 5 "$claw" --json claim "$claim_url" --code "$code"
jqo '.error.code == "CLAIM_TOKEN_USED"'
run 0 "$claw" me
grep -q '^status: *claimed$' "$tmp/out" || fail "me table: $(cat "$tmp/out")"

# Wait for the synthetic feed's first book.
for _ in $(seq 1 50); do
  "$claw" --json prices >"$tmp/out" 2>"$tmp/err" || true
  jq -e '[.prices[] | select(.symbol == "BTCUSDT" and .ask != null)] | length == 1' "$tmp/out" >/dev/null 2>&1 && break
  sleep 0.2
done
jqo '[.prices[] | select(.symbol == "BTCUSDT" and .ask != null)] | length == 1'
run 0 "$claw" prices
grep -q '^SYMBOL  *BID  *ASK  *LAST  *MARK  *TIME$' "$tmp/out" || fail "prices table: $(cat "$tmp/out")"
grep -q $'\x1b' "$tmp/out" && fail "colour codes with NO_COLOR and no TTY"
run 0 "$claw" --json symbols
jqo '[.symbols[].symbol] | index("BTCUSDT") != null'

# ---- orders ----
run 0 "$claw" --json order buy BTCUSDT 0.01 --rationale "e2e market"
jqo '(.status == "filled" or .status == "cancelled") and .type == "market" and (.client_order_id | startswith("claw-"))'
market_id=$(jq -r .order_id "$tmp/out")
# The same client id again is the same order (what makes retrying POST /v1/orders safe).
run 0 "$claw" --json order buy BTCUSDT 0.02 --client-id e2e-1
first=$(jq -r .order_id "$tmp/out")
run 0 "$claw" --json order buy BTCUSDT 0.02 --client-id e2e-1
jqo '.order_id == "'"$first"'"'
run 4 "$claw" --json order sell BTCUSDT 0.02 --client-id e2e-1
jqo '.error.code == "DUPLICATE_ORDER"'
# A limit order far below the market rests open; cancel it.
run 0 "$claw" --json order buy BTCUSDT 1000 --limit 0.01
jqo '.status == "open" and .type == "limit" and .price == "0.0100"'
limit_id=$(jq -r .order_id "$tmp/out")
run 0 "$claw" --json orders --status open
jqo '[.orders[].order_id] == ["'"$limit_id"'"]'
run 0 "$claw" cancel "$limit_id"
grep -q "^order $limit_id cancelled (filled 0.00000000" "$tmp/out" || fail "cancel output: $(cat "$tmp/out")"
run 4 "$claw" cancel "$limit_id"
grep -q 'error: ORDER_NOT_CANCELLABLE: the order is cancelled' "$tmp/err" || fail "cancel twice: $(cat "$tmp/err")"
# More than the displayed ask size (0.00001 to 5 BTC in the synthetic feed, used up by earlier
# fills until the next book update): a marketable limit order fills part and rests, a market
# order fills what is displayed and drops the rest. Retried until the book shows something.
for _ in $(seq 1 30); do
  run 0 "$claw" --json prices
  ask=$(jq -r '.prices[] | select(.symbol == "BTCUSDT") | .ask' "$tmp/out")
  limit=$(awk -v a="$ask" 'BEGIN { printf "%.2f", a * 1.02 }')
  run 0 "$claw" --json order buy BTCUSDT 200 --limit "$limit"
  [ "$(jq -r .status "$tmp/out")" = partially_filled ] && break
  "$claw" cancel "$(jq -r .order_id "$tmp/out")" >/dev/null 2>&1 || true
  sleep 0.3
done
jqo '.status == "partially_filled" and (.filled_quantity | tonumber) > 0 and (.filled_quantity | tonumber) < 200'
big_id=$(jq -r .order_id "$tmp/out")
run 0 "$claw" --json cancel --all
jqo '.cancelled == 1'
run 0 "$claw" --json order get "$big_id"
jqo '.status == "cancelled" and (.filled_quantity | tonumber) > 0 and (.fills | length) >= 1'
for _ in $(seq 1 30); do
  sleep 0.3
  run 0 "$claw" --json order buy BTCUSDT 40
  [ "$(jq -r .filled_quantity "$tmp/out")" != 0.00000000 ] && break
done
jqo '.status == "cancelled" and .reason == "market remainder: no displayed liquidity" and (.filled_quantity | tonumber) > 0 and (.filled_quantity | tonumber) < 40'
big_filled=$(jq -r .filled_quantity "$tmp/out")
run 0 "$claw" order get "$market_id"
grep -q '^ORDER  *SYMBOL' "$tmp/out" && grep -q '^FILL  *QTY' "$tmp/out" || fail "order get table: $(cat "$tmp/out")"

# ---- positions and portfolio agree with the orders ----
run 0 "$claw" --json orders --limit 500
jq '[.orders[] | (.filled_quantity | tonumber) * (if .side == "buy" then 1 else -1 end)] | add' "$tmp/out" >"$tmp/net"
run 0 "$claw" --json positions
jqo '(.positions | length) == 1 and .positions[0].symbol == "BTCUSDT" and .positions[0].side == "long"'
jq -e --slurpfile net "$tmp/net" '((.positions[0].quantity | tonumber) - $net[0]) | fabs < 1e-8' "$tmp/out" >/dev/null ||
  fail "position $(jq -r .positions[0].quantity "$tmp/out") != net fills $(cat "$tmp/net") (big order filled $big_filled)"
run 0 "$claw" --json portfolio
jqo '(.positions | length) == 1 and ((.equity | tonumber) - ((.balance | tonumber) + (.unrealized_pnl | tonumber)) | fabs) < 1e-6'
jqo '(.fees_paid | tonumber) > 0 and (.balance | tonumber) < 100000000'
run 0 "$claw" portfolio
grep -q '^equity: ' "$tmp/out" && grep -q '^SYMBOL  *SIDE  *QTY' "$tmp/out" || fail "portfolio table: $(cat "$tmp/out")"
run 0 "$claw" --json trades
jqo '(.trades | length) >= 3'
run 0 "$claw" --json audit --limit 5
jqo '(.audit_entries | length) == 5'
run 0 "$claw" --json performance
jqo '.metrics.total_trades >= 0'
run 0 "$claw" --json history --interval 1m
jqo '.interval == "1m"'
run 0 "$claw" --json leaderboard
jqo '[.leaderboard[].name] | index("alice") != null'
run 0 "$claw" orders
[ "$(wc -l <"$tmp/out")" -ge 5 ] || fail "orders table: $(cat "$tmp/out")"

# ---- one check per exit-code class ----
run 2 "$claw" order buy                                    # usage: missing arguments
run 2 "$claw" order buy BTCUSDT 1 --notional 5             # usage: both sizes
run 2 "$claw" --json order buy BTCUSDT lots                # usage: the server's INVALID_PARAMETER
jqo '.error.code == "INVALID_PARAMETER"'
run 3 "$claw" --key bob me                                 # auth: signed with another key
grep -q 'error: INVALID_SIGNATURE: ' "$tmp/err" || fail "auth: $(cat "$tmp/err")"
run 4 "$claw" --json order buy BTCUSDT 100000                # rejected by the engine
jqo '.error.code == "INSUFFICIENT_BALANCE" or .error.code == "RISK_LIMIT_EXCEEDED"'
jq -e '.error.details.order_id != null' "$tmp/out" >/dev/null || fail "rejected order id: $(cat "$tmp/out")"
run 5 "$claw" --json order get 999999                      # not found
jqo '.error.code == "NOT_FOUND"'
run 5 "$claw" --profile nosuch me                          # not found: an unknown profile
run 6 "$claw" --profile other --json health                # network: nothing listens on port 1
jqo '.error.code == "unavailable"'
CLAW_KEYSTORE_PASSPHRASE=wrong run 7 "$claw" me             # keystore: wrong passphrase
mkdir -p "$tmp/bad" && printf '[profiles.x\n' >"$tmp/bad/config.toml"
CLAW_HOME=$tmp/bad run 8 "$claw" health                    # data: a broken config.toml

# No agent id: a usage error that says how to get one.
CLAW_PROFILE=other run 2 "$claw" me
grep -q "hint: run 'claw register'" "$tmp/err" || fail "no agent id hint: $(cat "$tmp/err")"
# ---- lost answers: a retry neither doubles an order nor fails a cancel ----
# drop_proxy.py passes requests to the arena but swallows the answer to the first one of a method.
start_proxy() {  # start_proxy METHOD: sets $proxy to the proxy's URL
  python3 "$(dirname "$0")/drop_proxy.py" "${base##*:}" "$1" >"$tmp/proxy.$1" &
  proxy_pids+=($!)
  for _ in $(seq 1 50); do [ -s "$tmp/proxy.$1" ] && break; sleep 0.1; done
  proxy="http://127.0.0.1:$(head -n 1 "$tmp/proxy.$1")"
}
start_proxy POST
run 0 "$claw" --server "$proxy" --json order buy BTCUSDT 1000 --limit 0.01 --client-id lost-1
jqo '.status == "open" and .client_order_id == "lost-1"'
lost_id=$(jq -r .order_id "$tmp/out")
grep -q '^dropped POST$' "$tmp/proxy.POST" || fail "the proxy did not drop the order's answer"
run 0 "$claw" --json orders --status open
jqo '[.orders[] | select(.client_order_id == "lost-1") | .order_id] == ["'"$lost_id"'"]'
start_proxy DELETE
run 0 "$claw" --server "$proxy" --json cancel "$lost_id"
jqo '.order_id == "'"$lost_id"'" and .status == "cancelled"'
grep -q '^dropped DELETE$' "$tmp/proxy.DELETE" || fail "the proxy did not drop the cancel's answer"
grep -q 'an earlier attempt cancelled the order; its answer was lost' "$tmp/err" || fail "lost cancel: $(cat "$tmp/err")"
run 4 "$claw" cancel "$lost_id"  # without a lost answer, cancelling twice is still a conflict

echo "client.sh: ok"
