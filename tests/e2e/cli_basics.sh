#!/usr/bin/env bash
# The binary starts, reports its version, teaches with --help, and answers argv[0] dispatch.
set -euo pipefail
claw=${CLAW_BIN:?}
arena=${ARENA_SIM_BIN:?}
out=$("$claw" --version); [[ $out == "claw "* ]] || { echo "bad --version: $out"; exit 1; }
"$claw" --help | grep -q "arena-sim" || { echo "--help does not list arena-sim"; exit 1; }
set +e; "$claw" --no-such-flag >/dev/null 2>&1; rc=$?; set -e
[ $rc -eq 2 ] || { echo "unknown flag exited $rc, want 2"; exit 1; }
"$arena" --help >/dev/null
echo "cli_basics: ok"
