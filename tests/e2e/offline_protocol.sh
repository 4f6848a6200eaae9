#!/usr/bin/env bash
# Offline protocol commands end to end: keygen -> sign-request -> verify-request ->
# commit hash (ed25519 and eip191) -> commit verify -> dpop proof. Exit codes exact.
set -euo pipefail
claw=${CLAW_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CLAW_HOME=$tmp/home
export CLAW_KEYSTORE_PASSPHRASE='e2e pass'

fail() { echo "offline_protocol.sh: $*"; exit 1; }
expect() {
  local want=$1; shift
  set +e; "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat "$tmp/out" "$tmp/err"; fail "'$*' exited $rc, want $want"; }
}

expect 0 "$claw" --json keygen --name alice --kdf-ops 1 --kdf-mem 8192
pub=$(jq -r .public_key "$tmp/out")

# Signed request round trip.
printf '{"symbol":"BTCUSDT","side":"buy"}' >"$tmp/body"
expect 0 "$claw" sign-request --key alice --agent-id alice --method post \
  --target '/v1/orders?x=1' --body-file "$tmp/body"
cp "$tmp/out" "$tmp/headers"
grep -q '^X-Agent-Id: alice$' "$tmp/headers" || fail "no X-Agent-Id line"
grep -Eq '^X-Nonce: [A-Za-z0-9_-]{22}$' "$tmp/headers" || fail "nonce format"
expect 0 "$claw" verify-request --public-key "$pub" --method POST --target '/v1/orders?x=1' \
  --body-file "$tmp/body" --headers-file "$tmp/headers"
[ "$(cat "$tmp/out")" = valid ] || fail "verify output: $(cat "$tmp/out")"
printf '{"symbol":"ETHUSDT","side":"buy"}' >"$tmp/tampered"
expect 3 "$claw" verify-request --key alice --method POST --target '/v1/orders?x=1' \
  --body-file "$tmp/tampered" --headers-file "$tmp/headers"
grep -q '^invalid: bad_signature: ' "$tmp/out" || fail "tampered body: $(cat "$tmp/out")"
expect 3 "$claw" --json verify-request --key alice --method POST --target '/v1/orders?x=1' \
  --body-file "$tmp/body" --headers-file "$tmp/headers" --now 2000000000000
[ "$(jq -r .check "$tmp/out")" = expired_timestamp ] || fail "window: $(cat "$tmp/out")"

# Fixed headers reproduce the same signature (Ed25519 is deterministic).
expect 0 "$claw" --json sign-request --key alice --method GET --target /v1/agents/me \
  --timestamp 1771725000000 --nonce abcdefghijklmnop_-12 --show-canonical
[ "$(jq -r .canonical "$tmp/out")" = "$(printf 'CLAW-SIG-V1\nGET\n/v1/agents/me\n1771725000000\nabcdefghijklmnop_-12\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')" ] \
  || fail "canonical: $(cat "$tmp/out")"

# Commitments: golden message bytes, ed25519 and eip191 signatures, verification.
args=(--agent-id a1 --action OPEN --side LONG --lobs 1000 --symbol BTCUSDT --price 875.50
      --timestamp 2026-02-22T01:50:00.000Z --nonce 5f0c6b2e-0000-4000-8000-000000000001)
msg='{"agent_id":"a1","action":"OPEN","side":"LONG","lobs":1000,"symbol":"BTCUSDT","price":875.5,"timestamp":"2026-02-22T01:50:00.000Z","nonce":"5f0c6b2e-0000-4000-8000-000000000001"}'
expect 0 "$claw" --json commit hash "${args[@]}" --key alice
[ "$(jq -r .message "$tmp/out")" = "$msg" ] || fail "message: $(jq -r .message "$tmp/out")"
hash=$(jq -r .hash "$tmp/out"); sig=$(jq -r .signature "$tmp/out")
expect 0 "$claw" commit verify --message "$msg" --hash "$hash" --signature "$sig" \
  --scheme ed25519 --public-key "$pub"
expect 3 "$claw" commit verify --message "${msg/875.5/875.6}" --hash "$hash" \
  --signature "$sig" --scheme ed25519 --key alice
grep -q '^invalid: hash_mismatch: ' "$tmp/out" || fail "mismatch: $(cat "$tmp/out")"

printf '  0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\n' >"$tmp/eth"
expect 0 "$claw" --json commit hash "${args[@]}" --eth-key-file "$tmp/eth"
[ "$(jq -r .address "$tmp/out")" = 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23 ] || fail "address"
[ "$(jq -r .hash "$tmp/out")" = "$hash" ] || fail "hash differs between schemes"
esig=$(jq -r .signature "$tmp/out")
printf '%s\n' "$msg" >"$tmp/msg"
expect 0 "$claw" commit verify --message-file "$tmp/msg" --hash "$hash" --signature "$esig" \
  --scheme eip191 --address 0x2c7536e3605d9c16a7a3d7b1898e529396a65c23
expect 3 "$claw" commit verify --message-file "$tmp/msg" --hash "$hash" --signature "$esig" \
  --scheme eip191 --address 0x0000000000000000000000000000000000000001

# DPoP proof: three parts, header and claims as PROTOCOL.md §7.
printf 'token-123\n' >"$tmp/token"
expect 0 "$claw" dpop proof --key alice --method post --url 'http://127.0.0.1:8080/v1/orders?a=1' \
  --access-token-file "$tmp/token" --jti fixed-jti-0001 --iat 1771725000
proof=$(cat "$tmp/out")
b64d() { local s=${1//-/+}; s=${s//_//}; while (( ${#s} % 4 )); do s+='='; done; printf '%s' "$s" | base64 -d; }
[ "$(b64d "$(cut -d. -f1 <<<"$proof")")" = "{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"$pub\"}}" ] \
  || fail "dpop header"
ath=$(printf 'token-123' | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
[ "$(b64d "$(cut -d. -f2 <<<"$proof")")" = "{\"jti\":\"fixed-jti-0001\",\"htm\":\"POST\",\"htu\":\"http://127.0.0.1:8080/v1/orders\",\"iat\":1771725000,\"ath\":\"$ath\"}" ] \
  || fail "dpop payload"
echo "offline_protocol.sh: ok"
