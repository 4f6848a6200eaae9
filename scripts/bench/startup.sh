#!/usr/bin/env bash
# Whole-command timing of `claw --version` (process start-up), N runs, mean in ms.
# Usage: scripts/bench/startup.sh [BUILD_DIR] [N]
set -euo pipefail
build=${1:-build}
n=${2:-200}
claw="$build/cli/claw"
[ -x "$claw" ] || { echo "no $claw: build first (cmake --build $build --target claw)" >&2; exit 2; }
start=$(date +%s%N)
for _ in $(seq "$n"); do "$claw" --version >/dev/null; done
end=$(date +%s%N)
echo "claw --version: $n runs, mean $(( (end - start) / n / 1000 )) us"
