#!/usr/bin/env bash
# `claw completion bash` completes the real command tree: commands, nested commands, options
# (the global ones everywhere), files after options that take a value, and arena-sim by name.
set -euo pipefail
claw=${CLAW_BIN:?}
script=$("$claw" completion bash)
eval "$script"
complete -p claw | grep -q _claw_complete || { echo "claw is not registered"; exit 1; }

fail=0
complete_line() {  # complete_line "WORDS...": runs the completion on the last word, as bash would
  read -r -a COMP_WORDS <<<"$1"
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMPREPLY=()
  _claw_complete
}
expect() {  # expect "WORDS..." WANT...: each WANT must be offered
  local line=$1 want; shift
  complete_line "$line"
  for want in "$@"; do
    if [[ " ${COMPREPLY[*]} " != *" $want "* ]]; then
      echo "FAIL: '$line' offers [${COMPREPLY[*]}], missing '$want'"; fail=1
    fi
  done
}
reject() {  # reject "WORDS..." NOT...: none of NOT may be offered
  local line=$1 no; shift
  complete_line "$line"
  for no in "$@"; do
    if [[ " ${COMPREPLY[*]} " == *" $no "* ]]; then echo "FAIL: '$line' offers '$no'"; fail=1; fi
  done
}

expect "claw " keygen keys order orders arena-sim completion
expect "claw ke" keygen keys
reject "claw ke" order
expect "claw keys " list show export-public import passwd rm
expect "claw order b" buy
expect "claw order buy --li" --limit
expect "claw order buy --" --json --server --limit --tif
expect "claw --json keys s" show
expect "claw arena-sim " run serve synth
expect "claw arena-sim serve --" --listen --data-dir --print-config
reject "claw arena-sim serve --" --limit
expect "arena-sim " run serve synth
expect "arena-sim run --c" --config

# After an option that takes a value, files are offered.
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
touch "$dir/arena.toml"
expect "claw arena-sim run --config $dir/are" "$dir/arena.toml"

# Every top-level command of `claw --help` is offered.
cmds=$("$claw" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
[ -n "$cmds" ] || { echo "could not read the command list from claw --help"; exit 1; }
for cmd in $cmds; do
  expect "claw " "$cmd"
done
[ $fail -eq 0 ] || exit 1
echo "completion: ok"
