#!/usr/bin/env bash
# DPoP sessions (PROTOCOL.md §7) end to end with the real `claw` and `arena-sim serve`:
# `claw session login|status|refresh|logout`, every command on the session, automatic refresh
# and the refresh-and-retry after a 401; at the HTTP level with curl: login by signature (and by
# connect code when the owner route exists), replayed jti, expired proof, wrong key, proof for
# another URL or method, missing ath, a jwk with a private key, refresh rotation, reuse
# detection revoking every session, a proof by another key revoking nothing, logout, and the jti
# cache across a SIGKILL. Every proof `claw` sends passes through dpop_rfc9449.py, a checker
# written from RFC 9449 §4.3 (not from our verifier).
set -euo pipefail
claw=${CLAW_BIN:?}
arena=${ARENA_SIM_BIN:?}
here=$(cd "$(dirname "$0")" && pwd)
rfc="$here/dpop_rfc9449.py"
tmp=$(mktemp -d)
server_pid=
proxy_pid=
cleanup() {
  for p in $proxy_pid $server_pid; do { kill -9 "$p"; wait "$p" || true; } 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
unset CLAW_SERVER CLAW_KEY CLAW_PROFILE CLAW_AGENT_ID CLAW_OUTPUT XDG_CONFIG_HOME CLAW_CONNECT_CODE
export CLAW_HOME=$tmp/home
export CLAW_KEYSTORE_PASSPHRASE='e2e pass'
export NO_COLOR=1

# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"

"$claw" --json keygen --name alice --kdf-ops 1 --kdf-mem 8192 >/dev/null
"$claw" --json keygen --name bob --kdf-ops 1 --kdf-mem 8192 >/dev/null
"$claw" --json keygen --name eve --kdf-ops 1 --kdf-mem 8192 >/dev/null

# The checking proxy first (its URL is the arena's public URL, so htu names it), then the arena.
: >"$tmp/proofs.log"
echo 1 >"$tmp/upstream"
python3 "$rfc" proxy "$tmp/upstream" "$tmp/proofs.log" >"$tmp/proxy.out" 2>"$tmp/proxy.err" &
proxy_pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/proxy.out" ] && break; sleep 0.1; done
proxy="http://127.0.0.1:$(head -n1 "$tmp/proxy.out")"
base=$proxy

start_server() {  # extra environment as arguments (VAR=value ...)
  serve_arena 5 ARENA_SERVER_RATE_LIMITS=false ARENA_SERVER_PUBLIC_URL="$proxy" "$@"
  base=$proxy  # every request goes through the checking proxy
  jq -r .port "$tmp/server.out" >"$tmp/upstream"
  [ -s "$tmp/upstream" ] || fail "no listen address printed: $(cat "$tmp/server.out")"
}
stop_server() { kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
start_server

rfc_check() { python3 "$rfc" check "$@" || true; }  # prints ok/FAIL; the caller greps

# ---- the independent checker can fail (a test that cannot fail is a defect) ----
"$claw" dpop proof --key alice --method GET --url "$base/v1/agents/me" >"$tmp/p"
python3 "$rfc" check --method GET --url "$base/v1/agents/me?x=1" <"$tmp/p" >/dev/null || fail "checker refused a good proof"
rfc_check --method POST --url "$base/v1/agents/me" <"$tmp/p" | grep -q '^FAIL 8:' || fail "checker took the wrong method"
rfc_check --method GET --url "$base/v1/orders" <"$tmp/p" | grep -q '^FAIL 9:' || fail "checker took the wrong URL"
sed 's/\.\(.\)/.A\1/' "$tmp/p" | rfc_check --method GET --url "$base/v1/agents/me" | grep -q '^FAIL' || fail "checker took a tampered proof"
echo tok >"$tmp/tok"
rfc_check --method GET --url "$base/v1/agents/me" --access-token-file "$tmp/tok" <"$tmp/p" | grep -q '^FAIL 12:' || fail "checker took a proof without ath"
"$claw" dpop proof --key alice --method GET --url "$base/v1/agents/me" --iat 1000 | \
  rfc_check --method GET --url "$base/v1/agents/me" | grep -q '^FAIL 11:' || fail "checker took an old iat"

# ---- claw session: login by signature, status, commands on the session, refresh, logout ----
run 0 "$claw" config set server "$base"
run 0 "$claw" config set key alice
run 0 "$claw" --json register --name alice-agent --description "sessions e2e"
alice=$(jq -r .agent_id "$tmp/out")
run 0 "$claw" --json session status
jqo '.session == null'
run 0 "$claw" --json session login
jqo '.agent_id == "'"$alice"'" and .token_type == "DPoP" and .expires_in == 300 and (has("access_token") | not)'
jkt=$(jq -r .jkt "$tmp/out")
session_file=$(ls "$CLAW_HOME"/keys/sessions/alice.*.json)
[ "$(stat -c %a "$session_file")" = 600 ] || fail "session file is not 0600"
[ "$(stat -c %a "$CLAW_HOME/keys/sessions")" = 700 ] || fail "sessions dir is not 0700"
grep -q 'claw_at_\|claw_rt_' "$session_file" && fail "tokens in clear in $session_file"
run 0 "$claw" keys list
grep -q sessions "$tmp/out" && fail "keys list shows the sessions directory"
# The thumbprint, computed independently (RFC 7638) from a proof's jwk, is the session's.
"$claw" dpop proof --key alice --method GET --url "$base/x" >"$tmp/p"
[ "$(python3 "$rfc" check --method GET --url "$base/x" <"$tmp/p")" = "ok $jkt" ] || fail "jkt differs from RFC 7638"
run 0 "$claw" --json session status
jqo '.agent_id == "'"$alice"'" and .jkt == "'"$jkt"'" and .access_expires_in > 250 and .refresh_expires_in > 2500000'
: >"$tmp/proofs.log"
run 0 "$claw" --json me
jqo '.agent_id == "'"$alice"'"'
run 0 "$claw" --json portfolio
grep -q '^ok GET /v1/agents/me$' "$tmp/proofs.log" || fail "me was not sent with a DPoP proof: $(cat "$tmp/proofs.log")"
grep -q '^ok GET /v1/portfolio$' "$tmp/proofs.log" || fail "portfolio was not sent with a DPoP proof"
run 0 "$claw" --json audit --limit 50
jqo '[.audit_entries[] | select(.event_type == "session_created")] | length == 1'
before=$(jq -r .session_id "$session_file")
run 0 "$claw" --json session refresh
jqo '.access_expires_in > 250'
grep -q '^ok POST /v1/sessions/refresh$' "$tmp/proofs.log" || fail "refresh proof not seen"
run 0 "$claw" --json me
run 0 "$claw" --json session logout
jqo '.revoked == 1'
[ ! -e "$session_file" ] || fail "session file left after logout"
run 0 "$claw" --json session status
jqo '.session == null'
run 0 "$claw" --json me   # signed again
grep -q FAIL "$tmp/proofs.log" && fail "a claw proof failed the RFC 9449 check: $(grep FAIL "$tmp/proofs.log")"

# ---- curl: bob logs in by signature ----
run 0 "$claw" --profile bob config set server "$base"
run 0 "$claw" --profile bob config set key bob
run 0 "$claw" --profile bob --json register --name bob-agent
bob=$(jq -r .agent_id "$tmp/out")
owner_claim=$(jq -r .claim_url "$tmp/out")
bob_code=$(jq -r .verification_code "$tmp/out")
printf '{}' >"$tmp/empty.json"
# curl_json OUT METHOD PATH BODY HEADERS_FILE: the status in $tmp/status, the body in OUT.
curl_json() {
  curl -sS -o "$1" -w '%{http_code}' -X "$2" "$base$3" -H 'Content-Type: application/json' \
    -H @"$5" ${4:+--data-binary "$4"} >"$tmp/status"
}
proof() { "$claw" dpop proof "$@"; }
login_bob() {  # KEY: a signed login with a proof by KEY; tokens in $tmp/login.json
  "$claw" sign-request --key bob --agent-id "$bob" --method POST --target /v1/sessions --body-file "$tmp/empty.json" >"$tmp/h"
  echo "DPoP: $(proof --key "$1" --method POST --url "$base/v1/sessions")" >>"$tmp/h"
  curl_json "$tmp/login.json" POST /v1/sessions '{}' "$tmp/h"
  [ "$(cat "$tmp/status")" = 201 ] || fail "login: $(cat "$tmp/status") $(cat "$tmp/login.json")"
}
# call METHOD PATH TOKEN_FILE [proof options...]: an authenticated call; status and body.
call() {
  local m=$1 p=$2 tf=$3
  shift 3
  printf 'Authorization: DPoP %s\nDPoP: %s\n' "$(cat "$tf")" \
    "$(proof --key bob --method "$m" --url "$base$p" --access-token-file "$tf" "$@")" >"$tmp/h"
  curl_json "$tmp/call.json" "$m" "$p" "" "$tmp/h"
}
want() {  # STATUS CODE [CHECK]
  [ "$(cat "$tmp/status")" = "$1" ] || fail "want $1, got $(cat "$tmp/status"): $(cat "$tmp/call.json")"
  [ -z "${2:-}" ] || jq -e '.error.code == "'"$2"'"' "$tmp/call.json" >/dev/null || fail "want $2: $(cat "$tmp/call.json")"
  [ -z "${3:-}" ] || jq -e '.error.details.check == "'"$3"'"' "$tmp/call.json" >/dev/null || fail "want check $3: $(cat "$tmp/call.json")"
}
login_bob bob
jq -e '.token_type == "DPoP" and .expires_in == 300 and .agent_id == "'"$bob"'"' "$tmp/login.json" >/dev/null || fail "login answer"
jq -r .access_token "$tmp/login.json" | tr -d '\n' >"$tmp/at1"
jq -r .refresh_token "$tmp/login.json" >"$tmp/rt1"
call GET /v1/agents/me "$tmp/at1"; want 200
jq -e '.agent_id == "'"$bob"'"' "$tmp/call.json" >/dev/null || fail "me with the session"
# A signed login must carry a proof.
"$claw" sign-request --key bob --agent-id "$bob" --method POST --target /v1/sessions --body-file "$tmp/empty.json" >"$tmp/h"
curl_json "$tmp/call.json" POST /v1/sessions '{}' "$tmp/h"; want 401 INVALID_DPOP_PROOF missing
# Replayed jti: the same proof twice.
printf 'Authorization: DPoP %s\nDPoP: %s\n' "$(cat "$tmp/at1")" \
  "$(proof --key bob --method GET --url "$base/v1/agents/me" --access-token-file "$tmp/at1")" >"$tmp/replay.h"
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/replay.h"; want 200
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/replay.h"; want 401 INVALID_DPOP_PROOF jti
# Expired and future proofs.
now=$(date +%s)
call GET /v1/agents/me "$tmp/at1" --iat $((now - 120)); want 401 INVALID_DPOP_PROOF iat
call GET /v1/agents/me "$tmp/at1" --iat $((now + 120)); want 401 INVALID_DPOP_PROOF iat
# A proof for another URL or method.
printf 'Authorization: DPoP %s\nDPoP: %s\n' "$(cat "$tmp/at1")" \
  "$(proof --key bob --method GET --url "$base/v1/portfolio" --access-token-file "$tmp/at1")" >"$tmp/h"
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/h"; want 401 INVALID_DPOP_PROOF htu
printf 'Authorization: DPoP %s\nDPoP: %s\n' "$(cat "$tmp/at1")" \
  "$(proof --key bob --method POST --url "$base/v1/agents/me" --access-token-file "$tmp/at1")" >"$tmp/h"
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/h"; want 401 INVALID_DPOP_PROOF htm
# The query is not part of htu.
call GET '/v1/orders?limit=5' "$tmp/at1"; want 200
# No ath, and a wrong key (eve's proof with bob's token).
printf 'Authorization: DPoP %s\nDPoP: %s\n' "$(cat "$tmp/at1")" \
  "$(proof --key bob --method GET --url "$base/v1/agents/me")" >"$tmp/h"
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/h"; want 401 INVALID_DPOP_PROOF ath
printf 'Authorization: DPoP %s\nDPoP: %s\n' "$(cat "$tmp/at1")" \
  "$(proof --key eve --method GET --url "$base/v1/agents/me" --access-token-file "$tmp/at1")" >"$tmp/h"
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/h"; want 401 INVALID_DPOP_PROOF jkt
# The X-DPoP alias works.
printf 'Authorization: DPoP %s\nX-DPoP: %s\n' "$(cat "$tmp/at1")" \
  "$(proof --key bob --method GET --url "$base/v1/agents/me" --access-token-file "$tmp/at1")" >"$tmp/h"
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/h"; want 200
# A jwk carrying the private key "d" is refused.
python3 - "$base/v1/sessions" >"$tmp/dproof" <<'PY'
import base64, json, sys, time, os
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization as s
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
k = Ed25519PrivateKey.generate()
x = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
d = k.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
h = {"typ": "dpop+jwt", "alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": b(x), "d": b(d)}}
p = {"jti": b(os.urandom(16)), "htm": "POST", "htu": sys.argv[1], "iat": int(time.time())}
si = b(json.dumps(h).encode()) + "." + b(json.dumps(p).encode())
print(si + "." + b(k.sign(si.encode())))
PY
"$claw" sign-request --key bob --agent-id "$bob" --method POST --target /v1/sessions --body-file "$tmp/empty.json" >"$tmp/h"
echo "DPoP: $(cat "$tmp/dproof")" >>"$tmp/h"
curl_json "$tmp/call.json" POST /v1/sessions '{}' "$tmp/h"; want 401 INVALID_DPOP_PROOF jwk

# ---- refresh rotation, a proof by another key, reuse detection ----
refresh() {  # REFRESH_TOKEN_FILE KEY
  echo "DPoP: $(proof --key "$2" --method POST --url "$base/v1/sessions/refresh")" >"$tmp/h"
  curl_json "$tmp/call.json" POST /v1/sessions/refresh "{\"refresh_token\":\"$(cat "$1")\"}" "$tmp/h"
}
refresh "$tmp/rt1" bob; want 200
jq -r .access_token "$tmp/call.json" | tr -d '\n' >"$tmp/at2"
jq -r .refresh_token "$tmp/call.json" >"$tmp/rt2"
cmp -s "$tmp/rt1" "$tmp/rt2" && fail "refresh did not rotate the refresh token"
call GET /v1/agents/me "$tmp/at1"; want 401 INVALID_TOKEN
call GET /v1/agents/me "$tmp/at2"; want 200
# A second session of bob (to see reuse revoke every session).
login_bob bob
jq -r .access_token "$tmp/login.json" | tr -d '\n' >"$tmp/other"
call GET /v1/agents/me "$tmp/other"; want 200
# Another key presenting the rotated token: 401, and nothing is revoked.
refresh "$tmp/rt1" eve; want 401 INVALID_DPOP_PROOF jkt
call GET /v1/agents/me "$tmp/at2"; want 200
# The rotated token again, with the right key: reuse. Every session of bob is revoked.
refresh "$tmp/rt1" bob; want 403 REFRESH_REUSE
call GET /v1/agents/me "$tmp/at2"; want 401 INVALID_TOKEN
call GET /v1/agents/me "$tmp/other"; want 401 INVALID_TOKEN
refresh "$tmp/rt2" bob; want 401 INVALID_TOKEN
run 0 "$claw" --profile bob --json audit --limit 100
jqo '[.audit_entries[] | select(.event_type == "refresh_reuse")] | length == 1'
jqo '[.audit_entries[] | select(.event_type == "auth_failure" and (.details | tostring | test("jti")))] | length >= 1'

# ---- log out with curl ----
login_bob bob
jq -r .access_token "$tmp/login.json" | tr -d '\n' >"$tmp/at3"
call DELETE /v1/sessions "$tmp/at3"; want 200
jq -e '.revoked == 1' "$tmp/call.json" >/dev/null || fail "logout: $(cat "$tmp/call.json")"
call GET /v1/agents/me "$tmp/at3"; want 401 INVALID_TOKEN

# ---- connect codes through the owner route ----
run 0 "$claw" claim "$owner_claim" --code "$bob_code"
owner_token=$(sed -n 's/^owner token.*: //p' "$tmp/out")
code_status=$(curl -sS -o "$tmp/code.json" -w '%{http_code}' -X POST "$base/v1/owner/connect-code" \
  -H "Authorization: Bearer $owner_token" -H 'Content-Type: application/json' --data-binary '{}')
if [ "$code_status" = 201 ]; then
  jq -r .connect_code "$tmp/code.json" >"$tmp/code"
  grep -Eq '^[A-Z0-9]{6}$' "$tmp/code" || fail "connect code format: $(cat "$tmp/code")"
  # The code is read from a file (never argv); the session is bound to eve's key.
  run 0 "$claw" --profile viaeve --server "$base" --key eve --json session login --connect-code-file "$tmp/code"
  jqo '.agent_id == "'"$bob"'"'
  run 0 "$claw" --profile viaeve --json me
  jqo '.agent_id == "'"$bob"'"'
  run 3 "$claw" --profile viaeve2 --server "$base" --key eve session login --connect-code-file "$tmp/code"
  grep -q INVALID_CONNECT_CODE "$tmp/err" || fail "a used code: $(cat "$tmp/err")"
else
  fail "POST /v1/owner/connect-code answered $code_status: $(cat "$tmp/code.json")"
fi

# ---- the jti cache survives a SIGKILL; automatic refresh; refresh-and-retry after a 401 ----
login_bob bob
jq -r .access_token "$tmp/login.json" | tr -d '\n' >"$tmp/at4"
printf 'Authorization: DPoP %s\nDPoP: %s\n' "$(cat "$tmp/at4")" \
  "$(proof --key bob --method GET --url "$base/v1/agents/me" --access-token-file "$tmp/at4")" >"$tmp/replay.h"
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/replay.h"; want 200
sleep 0.5
stop_server
start_server
curl_json "$tmp/call.json" GET /v1/agents/me "" "$tmp/replay.h"; want 401 INVALID_DPOP_PROOF jti
call GET /v1/agents/me "$tmp/at4"; want 200   # the session itself survived

run 0 "$claw" --json session login
run 0 "$claw" --json me
# The server says the access token expired while the client still thinks it valid: one
# refresh, one retry.
stop_server
sqlite3 "$tmp/data/arena.db" "UPDATE sessions SET access_expires_ms = 1 WHERE agent_id = '$alice' AND revoked_ms = 0"
start_server
: >"$tmp/proofs.log"
run 0 "$claw" --json me
jqo '.agent_id == "'"$alice"'"'
[ "$(cut -d' ' -f2- "$tmp/proofs.log" | tr '\n' ,)" = "GET /v1/agents/me,POST /v1/sessions/refresh,GET /v1/agents/me," ] ||
  fail "want me, refresh, me: $(cat "$tmp/proofs.log")"
# With access tokens shorter than 60 s every command refreshes first.
stop_server
start_server ARENA_SESSIONS_ACCESS_TTL_S=30
run 0 "$claw" --json session refresh
jqo '.access_expires_in <= 30'
: >"$tmp/proofs.log"
run 0 "$claw" --json me
[ "$(cut -d' ' -f2- "$tmp/proofs.log" | tr '\n' ,)" = "POST /v1/sessions/refresh,GET /v1/agents/me," ] ||
  fail "want refresh, me: $(cat "$tmp/proofs.log")"
# A revoked session: the refresh fails, the local session is dropped, the error says why.
run 0 "$claw" --json session logout --all
run 0 "$claw" --json session status
jqo '.session == null'
grep -q FAIL "$tmp/proofs.log" && fail "a claw proof failed the RFC 9449 check: $(grep FAIL "$tmp/proofs.log")"
# The owner revoking the agent ends its live sessions.
curl -sS -o "$tmp/code.json" -X POST "$base/v1/owner/connect-code" -H "Authorization: Bearer $owner_token" \
  -H 'Content-Type: application/json' --data-binary '{}'
jq -r .connect_code "$tmp/code.json" >"$tmp/code"
run 0 "$claw" --profile viaeve3 --server "$base" --key eve --json session login --connect-code-file "$tmp/code"
run 0 "$claw" --profile viaeve3 --json me
revoke_status=$(curl -sS -o "$tmp/revoke.json" -w '%{http_code}' -X POST "$base/v1/owner/revoke" \
  -H "Authorization: Bearer $owner_token" -H 'Content-Type: application/json' --data-binary '{}')
[ "$revoke_status" = 200 ] || fail "owner revoke answered $revoke_status: $(cat "$tmp/revoke.json")"
set +e; "$claw" --profile viaeve3 --json me >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e
[ $rc -ne 0 ] || fail "a revoked agent's session still works"
grep -Eq 'AGENT_REVOKED|INVALID_TOKEN' "$tmp/err" || fail "revoked session: $(cat "$tmp/err")"
# --print-config shows [sessions].
"$arena" serve --print-config >"$tmp/config.toml"
grep -q '^\[sessions\]' "$tmp/config.toml" && grep -q '^access_ttl_s = 300$' "$tmp/config.toml" || fail "print-config: no [sessions]"
echo "sessions.sh: ok"
