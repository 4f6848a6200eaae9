#!/usr/bin/env bash
# claw keygen / claw keys ...: the real binary against a throwaway CLAW_HOME, exit codes exact.
set -euo pipefail
claw=${CLAW_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CLAW_HOME=$tmp/home
unset CLAW_KEYSTORE_PASSPHRASE

fail() { echo "keys.sh: $*"; exit 1; }
# expect CODE CMD...: runs CMD, stdout to $tmp/out, stderr to $tmp/err, checks the exit code.
expect() {
  local want=$1; shift
  set +e; "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat "$tmp/err"; fail "'$*' exited $rc, want $want"; }
}
printf 'first pass\n' >"$tmp/pw1"
printf 'second pass\n' >"$tmp/pw2"
printf 'not it\n' >"$tmp/bad"

# keygen through the environment, with the default (interactive) limits.
CLAW_KEYSTORE_PASSPHRASE='first pass' expect 0 "$claw" --json keygen --name alice
pub=$(jq -r .public_key "$tmp/out")
[ "$(jq -r .kdf.opslimit "$tmp/out")" -ge 2 ] || fail "default opslimit below interactive"
[ "$(jq -r .kdf.memlimit "$tmp/out")" -ge 67108864 ] || fail "default memlimit below interactive"
file=$CLAW_HOME/keys/alice.json
[ "$(stat -c %a "$file")" = 600 ] || fail "key file mode $(stat -c %a "$file")"
[ "$(stat -c %a "$CLAW_HOME/keys")" = 700 ] || fail "keys dir mode"
[ "$(stat -c %a "$CLAW_HOME")" = 700 ] || fail "CLAW_HOME mode"
[ "$(jq -r .name "$file")" = alice ] || fail "name in file"

# keygen through --passphrase-file, low limits (warned), default name.
expect 0 "$claw" keygen --passphrase-file "$tmp/pw1" --kdf-ops 1 --kdf-mem 8192
grep -q '^name: *default$' "$tmp/out" || fail "keygen text output: $(cat "$tmp/out")"
grep -q 'only for tests' "$tmp/err" || fail "no warning for weak limits"

# Refuses to overwrite without --force; no passphrase is asked first.
cp "$file" "$tmp/alice.before"
expect 7 "$claw" keygen --name alice --passphrase-file "$tmp/pw1"
grep -q "key 'alice' exists" "$tmp/err" || fail "overwrite message: $(cat "$tmp/err")"
cmp -s "$file" "$tmp/alice.before" || fail "refused keygen changed the file"

# No passphrase source and no terminal: a usage error.
if ! (exec </dev/tty) 2>/dev/null; then
  expect 2 "$claw" keygen --name carol
fi

# list / show / export-public: no passphrase needed.
expect 0 "$claw" --json keys list
[ "$(jq -r 'map(.name) | join(",")' "$tmp/out")" = alice,default ] || fail "list: $(cat "$tmp/out")"
expect 0 "$claw" keys list --json
[ "$(jq length "$tmp/out")" = 2 ] || fail "keys list --json"
expect 0 "$claw" keys show alice
grep -q "^public_key: *$pub$" "$tmp/out" || fail "show: $(cat "$tmp/out")"
expect 0 "$claw" keys export-public alice
[ "$(cat "$tmp/out")" = "$pub" ] || fail "export-public: $(cat "$tmp/out")"
expect 0 "$claw" keys export-public alice --json
[ "$(jq -r .fingerprint "$tmp/out")" = "$(jq -r '.[0].fingerprint' <("$claw" --json keys list))" ] ||
  fail "fingerprints differ"

# Wrong passphrase: exit 7, file byte for byte unchanged.
expect 7 "$claw" keys passwd alice --passphrase-file "$tmp/bad" --new-passphrase-file "$tmp/pw2"
grep -q "wrong passphrase for key 'alice'" "$tmp/err" || fail "wrong-passphrase message"
cmp -s "$file" "$tmp/alice.before" || fail "wrong passphrase changed the file"
CLAW_KEYSTORE_PASSPHRASE='not it' expect 7 "$claw" keys passwd alice --new-passphrase-file "$tmp/pw2"
cmp -s "$file" "$tmp/alice.before" || fail "wrong passphrase changed the file"

# passwd through files; the old passphrase stops working, the key stays the same.
expect 0 "$claw" --json keys passwd alice --passphrase-file "$tmp/pw1" --new-passphrase-file "$tmp/pw2"
[ "$(jq -r .passphrase_changed "$tmp/out")" = true ] || fail "passwd json"
[ "$(stat -c %a "$file")" = 600 ] || fail "mode after passwd"
expect 7 "$claw" keys passwd alice --passphrase-file "$tmp/pw1" --new-passphrase-file "$tmp/pw1"
expect 0 "$claw" keys passwd alice --passphrase-file "$tmp/pw2" --new-passphrase-file "$tmp/pw1"
expect 0 "$claw" keys export-public alice
[ "$(cat "$tmp/out")" = "$pub" ] || fail "public key changed by passwd"

# An edited header is detected (exit 7), with or without the passphrase.
cp "$file" "$tmp/alice.good"
jq '.kdf.opslimit = 3' "$tmp/alice.good" >"$file"
expect 7 "$claw" keys passwd alice --passphrase-file "$tmp/pw1" --new-passphrase-file "$tmp/pw2"
jq '.kind = "other"' "$tmp/alice.good" >"$file"
expect 7 "$claw" keys show alice
grep -q "is corrupt" "$tmp/err" || fail "corrupt message: $(cat "$tmp/err")"
head -c 100 "$tmp/alice.good" >"$file"
expect 7 "$claw" keys show alice
cp "$tmp/alice.good" "$file"

# Loose permissions: a warning, not a failure.
chmod 644 "$file"
expect 0 "$claw" keys show alice
grep -q "warning: .*mode 0644" "$tmp/err" || fail "no loose-permission warning"
chmod 600 "$file"

# import: hex text with whitespace; same seed, same key as raw bytes.
printf '  %s\n' 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60 >"$tmp/seed.hex"
expect 0 "$claw" --json keys import bob --seed-file "$tmp/seed.hex" --passphrase-file "$tmp/pw1"
# RFC 8032 test 1 public key.
[ "$(jq -r .public_key "$tmp/out")" = 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo ] ||
  fail "import: $(cat "$tmp/out")"
expect 7 "$claw" keys import bob --seed-file "$tmp/seed.hex" --passphrase-file "$tmp/pw1"
printf 'short' >"$tmp/seed.bad"
expect 2 "$claw" keys import eve --seed-file "$tmp/seed.bad" --passphrase-file "$tmp/pw1"

# Errors: unknown key 5, bad name 2, missing passphrase file 5, usage 2.
expect 5 "$claw" keys show nobody
grep -q "key 'nobody' not found" "$tmp/err" || fail "not-found message"
grep -q "claw keys list" "$tmp/err" || fail "not-found hint"
expect 2 "$claw" keys show '../etc'
expect 5 "$claw" keygen --name dave --passphrase-file "$tmp/absent"
expect 2 "$claw" keys
expect 2 "$claw" keys show

# keygen --force replaces; rm removes.
expect 0 "$claw" --json keygen --name alice --force --passphrase-file "$tmp/pw1"
[ "$(jq -r .public_key "$tmp/out")" != "$pub" ] || fail "--force kept the old key"
expect 0 "$claw" keys rm alice
[ ! -e "$file" ] || fail "rm left the file"
expect 5 "$claw" keys rm alice
expect 0 "$claw" --json keys list
[ "$(jq -r 'map(.name) | join(",")' "$tmp/out")" = bob,default ] || fail "list after rm"
# A keystore directory that cannot be read: a clear error, exit 7.
export CLAW_HOME=$tmp/broken
mkdir -p "$CLAW_HOME" && echo oops >"$CLAW_HOME/keys"
expect 7 "$claw" keys list
grep -q "cannot read directory '$CLAW_HOME/keys'" "$tmp/err" || fail "unreadable dir: $(cat "$tmp/err")"
echo "keys: ok"
