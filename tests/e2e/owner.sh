#!/usr/bin/env bash
# The human owner's controls through the real `claw` and `arena-sim serve` (issue 7): the owner
# token from the claim, budgets with orders held as pending_approval and approved, denied or
# expired, pause and resume, connect codes, revoke (sessions revoked), a wrong owner token, the
# browser pages with their cookie and CSRF token, and a restart that keeps budgets and
# approvals.
set -euo pipefail
claw=${CLAW_BIN:?}
arena=${ARENA_SIM_BIN:?}
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && { kill -9 "$server_pid"; wait "$server_pid" || true; } 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
unset CLAW_SERVER CLAW_KEY CLAW_PROFILE CLAW_AGENT_ID CLAW_OUTPUT XDG_CONFIG_HOME CLAW_OWNER_TOKEN
export CLAW_HOME=$tmp/home
export CLAW_KEYSTORE_PASSPHRASE='e2e pass'
export NO_COLOR=1

# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"

start_server() {
  serve_arena 5 ARENA_ARENA_STARTING_BALANCE=100000000 ARENA_SERVER_RATE_LIMITS=false \
    ARENA_OWNER_APPROVAL_TTL_S=10
  "$claw" -q config set server "$base" || fail "config set server"
  for _ in $(seq 1 100); do  # a price, so orders can be valued
    "$claw" --json prices 2>/dev/null | jq -e '.prices | length > 0 and (.[0].ask != null)' >/dev/null && return
    sleep 0.1
  done
  fail "no prices"
}

"$claw" --json keygen --name alice --kdf-ops 1 --kdf-mem 8192 >/dev/null
start_server
"$claw" -q config set key alice

run 0 "$claw" --json register --name alice --description "owner e2e"
claim_url=$(jq -r .claim_url "$tmp/out")
code=$(jq -r .verification_code "$tmp/out")
run 0 "$claw" --json claim "$claim_url" --code "$code"
jq -r .owner_token "$tmp/out" >"$tmp/owner_token"
chmod 600 "$tmp/owner_token"
tok=(--owner-token-file "$tmp/owner_token")
owner_token=$(cat "$tmp/owner_token")

# ---- the owner token: the right one, a wrong one, none ----
run 0 "$claw" --json owner show "${tok[@]}"
jqo '.name == "alice" and .status == "claimed" and .budget == null and .pending_approvals == 0'
echo "claw_owner_wrong" >"$tmp/wrong"
run 3 "$claw" owner show --owner-token-file "$tmp/wrong"
grep -q 'INVALID_OWNER_TOKEN' "$tmp/err" || fail "wrong token: $(cat "$tmp/err")"
CLAW_OWNER_TOKEN=$owner_token run 0 "$claw" --json owner show
jqo '.name == "alice"'
code=$(curl -s -o "$tmp/out" -w '%{http_code}' "$base/v1/owner/agent")
[ "$code" = 401 ] && jqo '.error.code == "MISSING_AUTH"' || fail "no token: $code"
# The owner token is not an agent credential, and an agent's signature is not an owner's.
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -H "Authorization: Bearer $owner_token" "$base/v1/portfolio")
[ "$code" = 401 ] || fail "owner token on an agent route: $code"

# ---- budget: max order 100 USDT ----
run 0 "$claw" --json owner budget "${tok[@]}" --max-order 100 --daily 1000000
jqo '.budget.max_order_notional == "100.00000000" and .budget.max_daily_notional == "1000000.00000000" and .budget.max_weekly_notional == null'
run 0 "$claw" --json owner budget "${tok[@]}" --weekly 2000000
jqo '.budget.max_order_notional == "100.00000000" and .budget.max_weekly_notional == "2000000.00000000"'
run 2 "$claw" owner budget "${tok[@]}" --clear --daily 5
code=$(curl -s -o "$tmp/out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $owner_token" \
  -d '{"max_order_notional":"-5"}' "$base/v1/owner/budget")
[ "$code" = 400 ] || fail "negative limit: $code"
# Under the limit: straight to the market.
run 0 "$claw" --json order buy BTCUSDT --notional 50
jqo '.status == "filled" or .status == "partially_filled" or .status == "cancelled"'
# Over it: held for approval, answered 202 (claw exits 0 and shows the status).
run 0 "$claw" --json order buy BTCUSDT --notional 150 --client-id held-1
jqo '.status == "pending_approval"'
held1=$(jq -r .order_id "$tmp/out")
# A retry with the same client id is the same held order, not a second one.
run 0 "$claw" --json order buy BTCUSDT --notional 150 --client-id held-1
jqo '.order_id == "'"$held1"'" and .status == "pending_approval"'
run 0 "$claw" --json orders --status pending_approval
jqo '[.orders[].order_id] == ["'"$held1"'"]'
run 0 "$claw" --json owner approvals "${tok[@]}"
jqo '.count == 1 and .approvals[0].order_id == "'"$held1"'" and .approvals[0].limit == "order" and .approvals[0].notional == "150.00000000"'
run 0 "$claw" owner approvals "${tok[@]}"
grep -q "^$held1 *pending_approval *BTCUSDT *buy" "$tmp/out" || fail "approvals table: $(cat "$tmp/out")"
run 0 "$claw" --json owner approve "${tok[@]}" "$held1"
jqo '.status == "approved" and (.placed_order_id | length > 0)'
placed=$(jq -r .placed_order_id "$tmp/out")
run 0 "$claw" --json order get "$placed"
jqo '.client_order_id == "held-1" and .status != "rejected" and .status != "pending_approval"'
run 0 "$claw" --json order get "$held1"
jqo '.status == "approved"'
run 5 "$claw" owner approve "${tok[@]}" 999
run 4 "$claw" owner approve "${tok[@]}" "$held1"   # already decided: 409 NOT_PENDING
grep -q NOT_PENDING "$tmp/err" || fail "approve twice: $(cat "$tmp/err")"

# Denied.
run 0 "$claw" --json order buy BTCUSDT --notional 200
held2=$(jq -r .order_id "$tmp/out")
run 0 "$claw" owner deny "${tok[@]}" "$held2"
grep -q "^order $held2 denied" "$tmp/out" || fail "deny output: $(cat "$tmp/out")"
run 0 "$claw" --json order get "$held2"
jqo '.status == "rejected" and .reject_code == "DENIED_BY_OWNER"'

# Expired: the approval TTL is 10 s on the arena clock (the synthetic feed follows the wall clock).
run 0 "$claw" --json order buy BTCUSDT --notional 300
held3=$(jq -r .order_id "$tmp/out")
for _ in $(seq 1 150); do
  "$claw" --json order get "$held3" >"$tmp/out" 2>/dev/null || true
  jq -e '.status == "expired"' "$tmp/out" >/dev/null && break
  sleep 0.2
done
jqo '.status == "expired"'
run 0 "$claw" --json owner approvals "${tok[@]}" --all
jqo '[.approvals[] | .status] | sort == ["approved", "denied", "expired"]'

# ---- restart: budgets and pending approvals survive ----
run 0 "$claw" --json order buy BTCUSDT --notional 400
held4=$(jq -r .order_id "$tmp/out")
kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=
start_server
run 0 "$claw" --json owner show "${tok[@]}"
jqo '.budget.max_order_notional == "100.00000000" and .pending_approvals == 1'
run 0 "$claw" --json owner approve "${tok[@]}" "$held4"
jqo '.status == "approved"'

# ---- pause and resume ----
run 0 "$claw" owner pause "${tok[@]}"
grep -q 'is paused' "$tmp/out" || fail "pause output: $(cat "$tmp/out")"
run 3 "$claw" me
grep -q AGENT_PAUSED "$tmp/err" || fail "paused me: $(cat "$tmp/err")"
run 3 "$claw" order buy BTCUSDT --notional 10
run 0 "$claw" owner resume "${tok[@]}"
run 0 "$claw" --json me
jqo '.status == "claimed"'

# ---- connect code ----
run 0 "$claw" --json owner connect-code "${tok[@]}"
jqo '(.connect_code | test("^[A-Z0-9]{6}$")) and (.expires_at | length > 0)'

# ---- the browser pages: cookie from a POSTed token, CSRF on every form ----
code=$(curl -s -o "$tmp/page" -w '%{http_code}' "$base/owner")
[ "$code" = 200 ] && grep -q 'name="owner_token"' "$tmp/page" || fail "login page: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "owner_token=claw_owner_nope" "$base/owner/login")
[ "$code" = 401 ] || fail "login with a wrong token: $code"
curl -s -D "$tmp/headers" -o /dev/null --data-urlencode "owner_token=$owner_token" "$base/owner/login"
grep -qi '^HTTP/1.1 303' "$tmp/headers" || fail "login: $(head -1 "$tmp/headers")"
grep -qi '^set-cookie: claw_owner=.*HttpOnly; SameSite=Strict' "$tmp/headers" || fail "cookie: $(grep -i set-cookie "$tmp/headers")"
cookie=$(grep -i '^set-cookie:' "$tmp/headers" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
code=$(curl -s -o "$tmp/page" -w '%{http_code}' -H "Cookie: $cookie" "$base/owner")
[ "$code" = 200 ] && grep -q '<code>alice</code>' "$tmp/page" || fail "dashboard: $code"
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$tmp/page" | head -1 | sed 's/.*value="//; s/"//')
[ ${#csrf} = 32 ] || fail "no CSRF token in the page"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -d "action=pause" "$base/owner/action")
[ "$code" = 403 ] || fail "action without CSRF: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -d "action=pause&csrf=00000000000000000000000000000000" "$base/owner/action")
[ "$code" = 403 ] || fail "action with a wrong CSRF token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -d "action=pause&csrf=$csrf" "$base/owner/action")
[ "$code" = 401 ] || fail "action without the cookie: $code"
run 0 "$claw" --json owner show "${tok[@]}"
jqo '.status == "claimed"'
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -d "action=pause&csrf=$csrf" "$base/owner/action")
[ "$code" = 303 ] || fail "pause from the page: $code"
run 0 "$claw" --json owner show "${tok[@]}"
jqo '.status == "paused"'
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -d "action=resume&csrf=$csrf" "$base/owner/action")
[ "$code" = 303 ] || fail "resume from the page: $code"
code=$(curl -s -o "$tmp/page" -w '%{http_code}' -H "Cookie: $cookie" \
  -d "action=budget&csrf=$csrf&max_order_notional=75&max_daily_notional=&max_weekly_notional=&max_monthly_notional=" "$base/owner/action")
[ "$code" = 303 ] || fail "budget from the page: $code"
run 0 "$claw" --json owner show "${tok[@]}"
jqo '.budget.max_order_notional == "75.00000000" and .budget.max_daily_notional == null and .status == "claimed"'
code=$(curl -s -o "$tmp/page" -w '%{http_code}' -H "Cookie: $cookie" "$base/owner/activity")
[ "$code" = 200 ] && grep -q 'order_approved' "$tmp/page" || fail "activity page: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/owner/activity")
[ "$code" = 200 ] || fail "activity page without a cookie shows the sign-in form: $code"

# ---- the activity log: agent, owner and system ----
run 0 "$claw" --json owner activity "${tok[@]}" --limit 500
jqo '([.activity[].actor] | unique) == ["agent", "owner", "system"]'
jqo '[.activity[].action] | (index("order_pending_approval") != null and index("order_approved") != null and index("order_denied") != null and index("order_approval_expired") != null and index("paused") != null and index("resumed") != null and index("budget_set") != null and index("connect_code_issued") != null)'
run 0 "$claw" owner activity "${tok[@]}"
grep -q '^TIME  *ACTOR  *ACTION' "$tmp/out" || fail "activity table: $(head -3 "$tmp/out")"

# ---- revoke: final; sessions revoked, held orders denied ----
run 0 "$claw" --json order buy BTCUSDT --notional 500
held5=$(jq -r .order_id "$tmp/out")
run 2 "$claw" owner revoke "${tok[@]}"
run 0 "$claw" owner revoke "${tok[@]}" --yes
grep -q 'is revoked' "$tmp/out" || fail "revoke output: $(cat "$tmp/out")"
run 3 "$claw" me
grep -q AGENT_REVOKED "$tmp/err" || fail "revoked me: $(cat "$tmp/err")"
run 4 "$claw" owner resume "${tok[@]}"
run 0 "$claw" --json owner approvals "${tok[@]}" --all
jqo '[.approvals[] | select(.order_id == "'"$held5"'") | .status] == ["denied"]'
run 0 "$claw" --json owner activity "${tok[@]}"
jqo '[.activity[] | select(.action == "revoked")] | length == 1 and (.[0].details | has("sessions_revoked"))'
echo "owner.sh: ok"
