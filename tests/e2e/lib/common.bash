# Shared by the e2e scripts that drive `claw` against a running server (sourced, not a test:
# ctest registers tests/e2e/*.sh only). Needs $tmp; commands write $tmp/out and $tmp/err.

# fail MESSAGE: prints it with the tails of the last command's stderr and the server's log.
fail() {
  echo "${0##*/}: $*"
  [ -f "$tmp/err" ] && { echo "stderr:"; tail -n 5 "$tmp/err"; }
  [ -f "$tmp/server.err" ] && tail -n 5 "$tmp/server.err"
  exit 1
}
# run WANT CMD...: runs CMD, which must exit WANT.
run() {
  local want=$1 rc=0
  shift
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want: $(head -c 400 "$tmp/out") $(head -c 400 "$tmp/err")"
}
# jqo FILTER: the last command printed exactly one JSON document, and FILTER holds on it.
jqo() {
  [ "$(jq -s length "$tmp/out")" = 1 ] || fail "want one JSON document: $(head -c 400 "$tmp/out")"
  jq -e "$1" "$tmp/out" >/dev/null || fail "jq '$1' failed on: $(head -c 600 "$tmp/out")"
}
# serve_arena SEED [VAR=value ...]: starts `arena-sim serve` ($arena) on a free loopback port
# with its data in $tmp/data and the given environment; waits for its start line (in
# $tmp/server.out; its log in $tmp/server.err) and sets server_pid and base.
serve_arena() {
  local seed=$1
  shift
  : >"$tmp/server.out"
  env "$@" "$arena" --json serve --listen 127.0.0.1:0 --data-dir "$tmp/data" --seed "$seed" \
    >"$tmp/server.out" 2>"$tmp/server.err" &
  server_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$tmp/server.out" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "server exited at start"
    sleep 0.1
  done
  base=$(jq -r .url "$tmp/server.out")
  [ -n "$base" ] && [ "$base" != null ] || fail "no URL printed: $(cat "$tmp/server.out")"
}
