#!/usr/bin/env bash
# Whole-command timing of `claw keygen` with the default KDF limits (Argon2id, opslimit 2,
# memlimit 64 MiB: libsodium's INTERACTIVE profile) and of one unlock (`claw keys show`
# decrypts nothing; `sign-request` unlocks the key), N runs each, mean in ms.
# Usage: scripts/bench/keygen.sh [BUILD_DIR] [N]
set -euo pipefail
build=${1:-build}
n=${2:-10}
claw="$build/cli/claw"
[ -x "$claw" ] || { echo "no $claw: build first (cmake --build $build --target claw)" >&2; exit 2; }
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export CLAW_HOME=$home CLAW_KEYSTORE_PASSPHRASE=bench
start=$(date +%s%N)
for i in $(seq "$n"); do "$claw" keygen --name "k$i" >/dev/null; done
end=$(date +%s%N)
echo "claw keygen (opslimit 2, memlimit 64 MiB): $n runs, mean $(( (end - start) / n / 1000000 )) ms"
start=$(date +%s%N)
for i in $(seq "$n"); do
  "$claw" sign-request --key "k$i" --agent-id a --method GET --target / >/dev/null
done
end=$(date +%s%N)
echo "claw sign-request (one keystore unlock): $n runs, mean $(( (end - start) / n / 1000000 )) ms"
