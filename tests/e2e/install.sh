#!/usr/bin/env bash
# `cmake --install` into a fresh prefix: the binary, arena-sim as a second name that dispatches
# to the arena, the man pages, and the bash completion for both names.
set -euo pipefail
build=${CLAW_BINARY_DIR:?}
prefix=$(mktemp -d); trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
[ -x "$prefix/bin/claw" ] || { echo "no bin/claw"; exit 1; }
[ "$(readlink "$prefix/bin/arena-sim")" = claw ] || { echo "bin/arena-sim is not a link to claw"; exit 1; }
"$prefix/bin/arena-sim" --help | grep -q "serve" || { echo "arena-sim does not dispatch to the arena"; exit 1; }
for page in man1/claw.1 man1/arena-sim.1 man5/claw-config.5; do
  [ -f "$prefix/share/man/$page" ] || { echo "missing man page $page"; exit 1; }
done
comp=$prefix/share/bash-completion/completions
cmp -s "$comp/claw" <("$prefix/bin/claw" completion bash) || { echo "installed completion differs"; exit 1; }
[ "$(readlink "$comp/arena-sim")" = claw ] || { echo "no completion for arena-sim"; exit 1; }
echo "install: ok"
