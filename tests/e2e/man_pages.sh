#!/usr/bin/env bash
# Every man page renders without a groff warning, and every command `claw --help` lists is
# documented in man/claw.1 and in the README's command tour.
set -euo pipefail
src=${CLAW_SOURCE_DIR:?}
claw=${CLAW_BIN:?}
fail=0
for page in "$src"/man/*.[15]; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1 || true)
  if [ -n "$warnings" ]; then echo "$page: $warnings"; fail=1; fi
done
# CLI11 lists subcommands under "Subcommands:", one per line, name first.
cmds=$("$claw" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
[ -n "$cmds" ] || { echo "could not read the command list from claw --help"; exit 1; }
for c in $cmds; do
  # man escapes '-' as '\-'.
  pat=$(printf '%s' "$c" | sed 's/-/\\\\-/g')
  grep -q "^\.B $pat\b" "$src/man/claw.1" || { echo "claw.1 does not document '$c'"; fail=1; }
  # The tour: a table whose first column holds `claw CMD ...` and `CMD \| CMD` alternatives.
  tour=$(sed -n '/^## /,$p' "$src/README.md" | grep '^| `' | sed 's/\\|/ /g' | cut -d'|' -f2 | tr '`/\n' '   ')
  [[ " $tour " == *" $c "* ]] || { echo "README tour does not list '$c'"; fail=1; }
done
exit $fail
