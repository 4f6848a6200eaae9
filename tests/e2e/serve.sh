#!/usr/bin/env bash
# arena-sim serve end to end with curl and `claw sign-request`: register, claim, trade, read
# back, bad inputs, graceful restart, and SIGKILL in the middle of a stream of orders.
set -euo pipefail
claw=${CLAW_BIN:?}
arena=${ARENA_SIM_BIN:?}
tmp=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export CLAW_HOME=$tmp/home
export CLAW_KEYSTORE_PASSPHRASE='e2e pass'
data=$tmp/data

# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
fail() { echo "serve.sh: $*"; [ -f "$tmp/server.err" ] && tail -n 20 "$tmp/server.err"; exit 1; }

start_server() { serve_arena 7; }

# call METHOD TARGET [BODY] [KEY] [AGENT]: signed request; writes $tmp/code and $tmp/resp.
call() {
  local method=$1 target=$2 body=${3:-} key=${4:-alice} agent=${5:-$agent_id}
  printf '%s' "$body" >"$tmp/body"
  local idarg=(--agent-id "$agent")
  [ "$agent" = - ] && idarg=()
  "$claw" sign-request --key "$key" "${idarg[@]}" --method "$method" --target "$target" \
    --body-file "$tmp/body" >"$tmp/headers"
  send "$method" "$target"
}
# send METHOD TARGET: sends $tmp/body with the headers in $tmp/headers as they are.
send() {
  local args=(-s -o "$tmp/resp" -w '%{http_code}' -X "$1" -H @"$tmp/headers")
  [ -s "$tmp/body" ] && args+=(-H 'Content-Type: application/json' --data-binary @"$tmp/body")
  curl "${args[@]}" "$base$2" >"$tmp/code" || echo 000 >"$tmp/code"
}
want() {  # want STATUS [ERROR_CODE]
  [ "$(cat "$tmp/code")" = "$1" ] || fail "want HTTP $1, got $(cat "$tmp/code"): $(head -c 400 "$tmp/resp")"
  if [ -n "${2:-}" ]; then
    [ "$(jq -r .error.code "$tmp/resp")" = "$2" ] || fail "want error $2: $(cat "$tmp/resp")"
  fi
}
pub() { curl -s -o "$tmp/resp" -w '%{http_code}' "$@" >"$tmp/code" || echo 000 >"$tmp/code"; }

"$claw" --json keygen --name alice --kdf-ops 1 --kdf-mem 8192 >"$tmp/k1"
"$claw" --json keygen --name mallory --kdf-ops 1 --kdf-mem 8192 >"$tmp/k2"
alice_pub=$(jq -r .public_key "$tmp/k1")

start_server
pub "$base/v1/health"; want 200
jq -e '.status == "healthy" and .feed.source == "synthetic"' "$tmp/resp" >/dev/null || fail "health: $(cat "$tmp/resp")"

# Registration: proof of possession, then the human's claim.
agent_id=-
call POST /v1/agents/register "{\"name\":\"alice\",\"description\":\"e2e <b>bot</b>\",\"public_key\":\"$alice_pub\"}" alice -
want 201
agent_id=$(jq -r .agent_id "$tmp/resp")
claim_url=$(jq -r .claim_url "$tmp/resp")
code=$(jq -r .verification_code "$tmp/resp")
[[ "$claim_url" == "$base/claim/claw_claim_"* ]] || fail "claim url $claim_url"
call POST /v1/agents/register "{\"name\":\"alice\",\"public_key\":\"$alice_pub\"}" alice -
want 409 NAME_TAKEN
call POST /v1/agents/register "{\"name\":\"bob\",\"public_key\":\"$alice_pub\"}" mallory -
want 401 INVALID_SIGNATURE
call POST /v1/agents/register '{"name":"Bad Name","public_key":"x"}' alice -
want 400 INVALID_PARAMETER
pub "$claim_url"; want 200
grep -q 'e2e &lt;b&gt;bot&lt;/b&gt;' "$tmp/resp" || fail "claim page does not escape the description"
token=${claim_url##*/}
pub -X POST -H 'Content-Type: application/json' -d '{"verification_code":"nope-0000"}' "$base/v1/claim/$token"
want 403 WRONG_CODE
jq -e '.error.details.attempts_left == 4' "$tmp/resp" >/dev/null || fail "attempts_left: $(cat "$tmp/resp")"
pub -X POST -H 'Content-Type: application/json' -d "{\"verification_code\":\"$code\"}" "$base/v1/claim/$token"
want 200
jq -e '.status == "claimed" and (.owner_token | startswith("claw_owner_"))' "$tmp/resp" >/dev/null || fail "claim: $(cat "$tmp/resp")"
pub -X POST -H 'Content-Type: application/json' -d "{\"verification_code\":\"$code\"}" "$base/v1/claim/$token"
want 410 CLAIM_TOKEN_USED
# Odd Unicode in a name is refused; five wrong codes burn a claim token.
call POST /v1/agents/register "{\"name\":\"\u00e5lice\",\"public_key\":\"$alice_pub\"}" alice -
want 400 INVALID_PARAMETER
mallory_pub=$(jq -r .public_key "$tmp/k2")
call POST /v1/agents/register "{\"name\":\"mallory\",\"public_key\":\"$mallory_pub\"}" mallory -
want 201
mtoken=$(jq -r .claim_url "$tmp/resp"); mtoken=${mtoken##*/}; mcode=$(jq -r .verification_code "$tmp/resp")
for left in 4 3 2 1 0; do
  pub -X POST -H 'Content-Type: application/json' -d '{"verification_code":"bad-0000"}' "$base/v1/claim/$mtoken"
  want 403 WRONG_CODE
  jq -e --argjson l "$left" '.error.details.attempts_left == $l' "$tmp/resp" >/dev/null || fail "attempts: $(cat "$tmp/resp")"
done
pub -X POST -H 'Content-Type: application/json' -d "{\"verification_code\":\"$mcode\"}" "$base/v1/claim/$mtoken"
want 410 CLAIM_TOKEN_USED
pub "$base/claim/$mtoken"; want 410
pub "$base/v1/claim/claw_claim_unknown" -X POST -d '{"verification_code":"x"}'; want 404 NOT_FOUND

call GET /v1/agents/me; want 200
jq -e '.name == "alice" and .status == "claimed"' "$tmp/resp" >/dev/null || fail "me: $(cat "$tmp/resp")"

# Wait for prices from the synthetic feed.
for _ in $(seq 1 50); do
  pub "$base/v1/prices"
  jq -e '[.prices[] | select(.symbol == "BTCUSDT" and .ask != null)] | length == 1' "$tmp/resp" >/dev/null && break
  sleep 0.2
done
jq -e '[.prices[] | select(.symbol == "BTCUSDT")] | length == 1' "$tmp/resp" >/dev/null || fail "no prices: $(cat "$tmp/resp")"

# Orders.
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":0.01,"client_order_id":"m1"}'
want 201
jq -e '.status == "filled" or .status == "partially_filled"' "$tmp/resp" >/dev/null || fail "market order: $(cat "$tmp/resp")"
market_id=$(jq -r .order_id "$tmp/resp")
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":0.01,"client_order_id":"m1"}'
want 200
[ "$(jq -r .order_id "$tmp/resp")" = "$market_id" ] || fail "idempotent repeat gave another order"
call POST /v1/orders '{"symbol":"BTCUSDT","side":"sell","type":"market","quantity":0.01,"client_order_id":"m1"}'
want 409 DUPLICATE_ORDER
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"limit","quantity":"0.01","price":"1000.00"}'
want 201
[ "$(jq -r .status "$tmp/resp")" = open ] || fail "limit order: $(cat "$tmp/resp")"
limit_id=$(jq -r .order_id "$tmp/resp")
call GET "/v1/orders?status=open"; want 200
jq -e --arg id "$limit_id" '[.orders[].order_id] == [$id]' "$tmp/resp" >/dev/null || fail "open orders: $(cat "$tmp/resp")"
call GET "/v1/orders/$market_id"; want 200
jq -e '(.fills | length) >= 1' "$tmp/resp" >/dev/null || fail "order fills: $(cat "$tmp/resp")"
call DELETE "/v1/orders/$limit_id"; want 200
[ "$(jq -r .status "$tmp/resp")" = cancelled ] || fail "cancel: $(cat "$tmp/resp")"
call DELETE "/v1/orders/$limit_id"; want 409 ORDER_NOT_CANCELLABLE
call DELETE /v1/orders/999999; want 404 NOT_FOUND
call GET /v1/portfolio; want 200
jq -e '(.positions | length) == 1 and .positions[0].side == "long" and (.equity | test("^[0-9]+\\.[0-9]{8}$"))' \
  "$tmp/resp" >/dev/null || fail "portfolio: $(cat "$tmp/resp")"
call GET /v1/positions; want 200
call GET /v1/trades; want 200
jq -e '.trades | length >= 1' "$tmp/resp" >/dev/null || fail "trades"
call GET /v1/audit; want 200
jq -e '[.audit_entries[].event_type] | index("order_placed") != null' "$tmp/resp" >/dev/null || fail "audit: $(cat "$tmp/resp")"
call GET /v1/portfolio/performance; want 200
call GET "/v1/portfolio/history?interval=1m"; want 200
pub "$base/v1/leaderboard"; want 200
jq -e '[.leaderboard[].name] | index("alice") != null' "$tmp/resp" >/dev/null || fail "leaderboard"
pub "$base/v1/agents/alice"; want 200
pub "$base/v1/symbols"; want 200
pub "$base/skill.md"; want 200
grep -q '/v1/orders' "$tmp/resp" || fail "skill.md lacks routes"
pub "$base/openapi.json"; want 200
jq -e '.openapi | startswith("3.1")' "$tmp/resp" >/dev/null || fail "openapi"
pub "$base/metrics"; want 200
grep -q '^claw_http_requests_total' "$tmp/resp" || fail "metrics"

# Bad input: the §5 envelope, and nothing changes.
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy",'; want 400 INVALID_REQUEST
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":NaN}'; want 400 INVALID_REQUEST
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":-1}'; want 400 INVALID_PARAMETER
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":"0"}'; want 400 INVALID_PARAMETER
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":1e300}'; want 400 INVALID_PARAMETER
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":"99999999999999999999"}'; want 400 INVALID_PARAMETER
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":true}'; want 400 INVALID_PARAMETER
call POST /v1/orders '{"side":"buy","type":"market","quantity":1}'; want 400 INVALID_PARAMETER
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"limit","quantity":"0.01","price":"-5"}'; want 400 INVALID_PARAMETER
call POST /v1/orders '{"symbol":"DOGEUSDT","side":"buy","type":"market","quantity":1}'; want 400 INVALID_SYMBOL
jq -e '.error.details.order_id | test("^[0-9]+$")' "$tmp/resp" >/dev/null || fail "rejected order id: $(cat "$tmp/resp")"
call POST /v1/orders '{"symbol":"BTCUSDT","side":"buy","type":"market","quantity":1000}'; want 403 INSUFFICIENT_BALANCE
call POST /v1/orders "{\"symbol\":\"BTCUSDT'; DROP TABLE orders;--\",\"side\":\"buy\",\"type\":\"market\",\"quantity\":1}"
want 400
head -c 70000 /dev/zero | tr '\0' 'a' >"$tmp/big"
curl -s -o "$tmp/resp" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data-binary @"$tmp/big" "$base/v1/orders" >"$tmp/code"; want 413 BODY_TOO_LARGE
pub "$base/v1/nope"; want 404 NOT_FOUND
pub -X PUT "$base/v1/orders"; want 405
# Replay: the same signed request twice.
call GET /v1/positions; want 200
send GET /v1/positions; want 401 REPLAYED_NONCE
# Stale timestamp, another agent's key, unknown agent, no headers.
printf '' >"$tmp/body"
"$claw" sign-request --key alice --agent-id "$agent_id" --method GET --target /v1/portfolio \
  --timestamp 1000000000000 >"$tmp/headers"
send GET /v1/portfolio; want 401 EXPIRED_TIMESTAMP
printf '' >"$tmp/body"
"$claw" sign-request --key alice --agent-id "$agent_id" --method GET --target /v1/portfolio \
  --timestamp $(( $(date +%s%3N) + 120000 )) >"$tmp/headers"
send GET /v1/portfolio; want 401 EXPIRED_TIMESTAMP
call GET /v1/portfolio "" mallory; want 401 INVALID_SIGNATURE
call GET /v1/portfolio "" alice nobody; want 401 UNKNOWN_AGENT
pub "$base/v1/portfolio"; want 401 MISSING_AUTH
call GET /v1/audit; want 200
jq -e '[.audit_entries[].event_type] | index("auth_failure") != null' "$tmp/resp" >/dev/null || fail "auth failures not audited"

# Graceful restart: SIGTERM exits 0, and the arena comes back as it was.
call GET "/v1/orders?limit=500"; want 200
jq -S '[.orders[] | {order_id, status, filled_quantity}]' "$tmp/resp" >"$tmp/orders-before"
kill -TERM "$server_pid"; wait "$server_pid" || fail "SIGTERM exit status $?"
server_pid=
start_server
call GET "/v1/orders?limit=500"; want 200
jq -S '[.orders[] | {order_id, status, filled_quantity}]' "$tmp/resp" >"$tmp/orders-after"
cmp -s "$tmp/orders-before" "$tmp/orders-after" || fail "orders differ after restart"
call GET /v1/agents/me; want 200

# SIGKILL in the middle of a stream of orders, three times: every acknowledged order survives,
# none is applied twice, and the restored arena passes the engine's ledger check (Start fails
# otherwise).
for round in 1 2 3; do
  : >"$tmp/acked"
  ( for i in $(seq 1 40); do
      call POST /v1/orders "{\"symbol\":\"ETHUSDT\",\"side\":\"buy\",\"type\":\"limit\",\"quantity\":\"0.1\",\"price\":\"100\",\"client_order_id\":\"k$round-$i\"}"
      [ "$(cat "$tmp/code")" = 201 ] && jq -r .order_id "$tmp/resp" >>"$tmp/acked"
    done ) 2>/dev/null &
  streamer=$!
  for _ in $(seq 1 100); do [ "$(wc -l <"$tmp/acked")" -ge $((3 * round)) ] && break; sleep 0.05; done
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
  wait "$streamer" || true
  acked=$(wc -l <"$tmp/acked")
  [ "$acked" -ge 3 ] || fail "round $round: only $acked orders acknowledged before the kill"
  start_server
  call GET "/v1/orders?symbol=ETHUSDT&status=open&limit=500"; want 200
  jq -r --arg p "k$round-" '.orders[] | select(.client_order_id | startswith($p)) | .order_id' "$tmp/resp" | sort >"$tmp/stored"
  sort "$tmp/acked" | comm -23 - "$tmp/stored" >"$tmp/lost"
  [ ! -s "$tmp/lost" ] || fail "round $round: acknowledged orders lost after SIGKILL: $(tr '\n' ' ' <"$tmp/lost")"
  stored=$(wc -l <"$tmp/stored")
  [ "$stored" -le $((acked + 1)) ] || fail "round $round: $stored orders stored for $acked acknowledged"
  jq -r '.orders[].client_order_id' "$tmp/resp" | sort | uniq -d >"$tmp/dups"
  [ ! -s "$tmp/dups" ] || fail "round $round: an order was applied twice"
done
# The port is taken: exit 6 with a clear message. --print-config shows the effective config.
port=${base##*:}
set +e
"$arena" serve --listen "127.0.0.1:$port" --data-dir "$tmp/other" 2>"$tmp/taken.err"; rc=$?
set -e
[ $rc -eq 6 ] || fail "serving on a taken port exited $rc: $(cat "$tmp/taken.err")"
grep -q "cannot listen" "$tmp/taken.err" || fail "taken port message: $(cat "$tmp/taken.err")"
ARENA_AUTH_IP_LOCK=true "$arena" serve --print-config --listen 0.0.0.0:9999 >"$tmp/config.toml"
grep -q '^listen = "0.0.0.0:9999"$' "$tmp/config.toml" || fail "print-config listen"
grep -q '^ip_lock = true$' "$tmp/config.toml" || fail "print-config env override"
kill -TERM "$server_pid"; wait "$server_pid" || fail "SIGTERM exit status $?"
server_pid=

# A replay feed at max speed: the recording's prices arrive and the feed says it finished.
recording=${CLAW_SHARED_DATA:-}/binance/hftbacktest_spot_btcusdt_20240808.gz
if [ -f "$recording" ]; then
  data=$tmp/replay
  "$arena" --json serve --listen 127.0.0.1:0 --data-dir "$data" --feed "replay:$recording" \
    --speed max >"$tmp/server.out" 2>"$tmp/server.err" &
  server_pid=$!
  for _ in $(seq 1 100); do [ -s "$tmp/server.out" ] && break; sleep 0.1; done
  base=$(jq -r .url "$tmp/server.out")
  for _ in $(seq 1 100); do
    pub "$base/v1/health"
    [ "$(jq -r .feed.state "$tmp/resp")" = finished ] && break
    sleep 0.1
  done
  jq -e '.feed.state == "finished" and .feed.events > 10000 and (.arena_time | startswith("2024-08-0"))' \
    "$tmp/resp" >/dev/null || fail "replay feed: $(cat "$tmp/resp")"
  pub "$base/v1/prices"; want 200
  jq -e '.prices[0].symbol == "BTCUSDT" and (.prices[0].bid | test("^[0-9]+\\.[0-9]{4}$"))' "$tmp/resp" >/dev/null ||
    fail "replayed prices: $(cat "$tmp/resp")"
  kill -TERM "$server_pid"; wait "$server_pid" || fail "SIGTERM exit status $?"
  server_pid=
fi
echo "serve: ok"
