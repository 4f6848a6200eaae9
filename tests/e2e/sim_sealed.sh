#!/usr/bin/env bash
# Sealed (commit-reveal) trades in arena-sim run over a simulated season: a synthetic feed that
# covers one whole 14-day reveal period, its 24 h grace and a bit of the next period, with two
# honest sealed traders, one that never reveals, one that reveals a price off the tape, and a
# buy-and-hold strategy that never commits. Checks the report's sealed rankings against what the
# strategies logged, the period rollover on the feed's clock (also with [reveal] period_days = 7
# from a config file), determinism, and that the harness hashes commitments as claw does.
set -euo pipefail
arena=${ARENA_SIM_BIN:?}
claw=${CLAW_BIN:?}
src=${CLAW_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/tests/e2e/lib/common.bash"
strategies="$src/scripts/strategies"
day=86400000

# 1. The harness builds commitment messages, hashes and signatures exactly as claw does.
python3 - "$strategies" > "$tmp/cases" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import arena
for action, side, lobs, symbol, price in [("OPEN", "LONG", 500, "BTCUSDT", "87550.10"),
                                          ("OPEN", "SHORT", 1000, "ETHUSDT", "2500"),
                                          ("CLOSE", "LONG", 7, "BTCUSDT", "100.0"),
                                          ("CLOSE", "SHORT", 3, "X\"Y", "0.00012300"),
                                          ("OPEN", "LONG", 1, "BTCUSDT", "1e21")]:
    ts, nonce = "2024-08-16T00:00:05.523Z", "0b1f3c2e-8d4a-4f6b-9e7c-1a2b3c4d5e6f"
    msg = arena.commitment_message("agent-1", action, side, lobs, symbol, price, ts, nonce)
    print("\t".join([action, side, str(lobs), symbol, price, ts, nonce, msg.decode(),
                     "0x" + arena.keccak256(msg).hex()]))
EOF
[ "$(wc -l < "$tmp/cases")" = 5 ] || fail "hash cases: $(cat "$tmp/cases")"
while IFS=$'\t' read -r action side lobs symbol price ts nonce msg hash; do
  run 0 "$claw" commit hash --agent-id agent-1 --action "$action" --side "$side" --lobs "$lobs" \
    --symbol "$symbol" --price "$price" --timestamp "$ts" --nonce "$nonce" --json
  [ "$(jq -r .message "$tmp/out")" = "$msg" ] || fail "message for $price: arena.py '$msg', claw $(cat "$tmp/out")"
  [ "$(jq -r .hash "$tmp/out")" = "$hash" ] || fail "hash for $price: arena.py $hash, claw $(cat "$tmp/out")"
done < "$tmp/cases"
# ... and signs what claw verifies.
python3 - "$strategies" > "$tmp/signed" <<'EOF'
import base64, json, sys
sys.path.insert(0, sys.argv[1])
import arena
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
seed = bytes(range(32))
pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw)
b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
s = arena.Strategy()
s.name, s.agent_id, s.arena_time = "alice", "agent-1", "2024-08-16T00:00:05.523Z"
s.signing_key = {"scheme": "ed25519", "public_key": b64(pub), "private_key": b64(seed)}
h = s.commit("LONG", 500, "BTCUSDT", "87550.10")
rec = s.sealed[h]
msg = arena.commitment_message("agent-1", "OPEN", "LONG", 500, "BTCUSDT", "87550.10", rec["timestamp"], rec["nonce"])
print(json.dumps({"message": msg.decode(), "commit": s._out[0], "public_key": b64(pub)}))
EOF
c=$(cat "$tmp/signed")
run 0 "$claw" commit verify --message "$(jq -r .message <<<"$c")" --hash "$(jq -r .commit.commitment.hash <<<"$c")" \
  --signature "$(jq -r .commit.commitment.signature <<<"$c")" --scheme ed25519 --public-key "$(jq -r .public_key <<<"$c")"
run 3 "$claw" commit verify --message "$(jq -r .message <<<"$c" | sed 's/87550.1/87550.2/')" \
  --hash "$(jq -r .commit.commitment.hash <<<"$c")" --signature "$(jq -r .commit.commitment.signature <<<"$c")" \
  --scheme ed25519 --public-key "$(jq -r .public_key <<<"$c")"

# 2. The season: the feed starts at a 14-day period's start (anchor Friday 1970-01-02) and ends
# two days after that period's grace.
read -r period start_ms <<<"$(python3 -c "
d = $day; anchor = d; t = 1723766400000  # 2024-08-16, a period start
p = (t - anchor) // (14 * d); print(p, anchor + p * 14 * d)")"
"$arena" synth --symbols BTCUSDT,ETHUSDT --interval-ms 60000 --duration 17d --start "$start_ms" --seed 11 \
  --out "$tmp/season.jsonl" > /dev/null || fail "synth failed"
agents() {  # agents LOGDIR
  printf '%s\n' --agent "alice=python3 $strategies/sealed_trader.py --seed 1 --symbol BTCUSDT --log $1/alice.log"
  printf '%s\n' --agent "bob=python3 $strategies/sealed_trader.py --seed 2 --symbol ETHUSDT --lobs 300 --every-hours 12 --hold-hours 30 --lookback-hours 3 --log $1/bob.log"
  printf '%s\n' --agent "lazy=python3 $strategies/sealed_trader.py --seed 3 --never-reveal --log $1/lazy.log"
  printf '%s\n' --agent "cheat=python3 $strategies/sealed_trader.py --seed 4 --cheat-bps 300 --log $1/cheat.log"
  printf '%s\n' --agent "hold=python3 $strategies/buy_and_hold.py"
}
for n in 1 2; do
  mkdir "$tmp/run$n"
  mapfile -t args < <(agents "$tmp/run$n")
  run 0 "$arena" run --feed "$tmp/season.jsonl" "${args[@]}" --step-timeout 60s --report "$tmp/report$n.json"
  cp "$tmp/out" "$tmp/board$n.txt"
done
r="$tmp/report1.json" logs="$tmp/run1"
cp "$r" "$tmp/out"
jqo '[.agents[].status] == ["ok","ok","ok","ok","ok"]'
jqo ".sealed.period_days == 14 and .sealed.grace_h == 24 and .sealed.anchor == \"friday 00:00 UTC\""
jqo "[.sealed.periods[] | select(.complete) | .period] == [$period]"
jqo "[.sealed.periods[].period] == [$period, $((period + 1))]"

# The complete period, as the strategies saw it in their updates.
python3 - "$r" "$logs" "$period" > "$tmp/check.txt" 2>&1 <<'EOF' || fail "season checks: $(cat "$tmp/check.txt")"
import json, sys
from decimal import Decimal, ROUND_HALF_EVEN
report, logs, period = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
problems = []
def check(ok, what):
    if not ok:
        problems.append(what)
def updates(name):
    return [json.loads(line) for line in open("%s/%s.log" % (logs, name))]
(p,) = [p for p in report["sealed"]["periods"] if p["period"] == period]
ranking = {r["name"]: r for r in p["rankings"]}
agents = {a["name"]: a for a in report["agents"]}

# Exactly the agents that revealed a trade in the period are ranked: failed trades are excluded
# from rankings (seed 001), so the lazy and the cheating traders are not.
expect = set()
for name in ("alice", "bob", "lazy", "cheat"):
    for line in updates(name):
        u = line["update"]
        if u["period"] == period and u["error"] is None and u["status"] in ("revealed", "closed"):
            expect.add(name)
check(sorted(ranking) == sorted(expect) == ["alice", "bob"],
      "ranked %s, expected %s" % (sorted(ranking), sorted(expect)))
check("hold" not in [r["name"] for q in report["sealed"]["periods"] for r in q["rankings"]], "hold is ranked")
check(agents["hold"]["sealed"]["commits"] == 0, "hold committed: %s" % agents["hold"]["sealed"])

# Ranks 1..n by PnL, highest first.
rows = p["rankings"]
check([r["rank"] for r in rows] == list(range(1, len(rows) + 1)), "ranks %s" % [r["rank"] for r in rows])
pnls = [Decimal(r["pnl_lobs"]) for r in rows]
check(pnls == sorted(pnls, reverse=True), "rankings not ordered by pnl: %s" % pnls)

# Honest traders: the period's PnL is the sum over their closed trades, recomputed here from
# the prices they committed and closed at.
crossed = False
for name in ("alice", "bob"):
    total, closed, seen, all_total, all_closed = Decimal(0), 0, {}, Decimal(0), 0
    for line in updates(name):
        u, t = line["update"], line["trade"]
        check(u["error"] is None, "%s: refused %s" % (name, u))
        seen.setdefault(u["trade_id"], []).append(u["status"])
        if u["status"] == "closed":
            all_total += Decimal(u["pnl_lobs"])
            all_closed += 1
        if u["status"] != "closed" or u["period"] != period:
            continue
        o, c = Decimal(t["price"]), Decimal(t["close"]["price"])
        pnl = Decimal(t["lobs"]) * (c - o) / o * (1 if t["side"] == "LONG" else -1)
        pnl = pnl.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
        check(Decimal(u["pnl_lobs"]) == pnl, "%s trade %s: engine pnl %s, recomputed %s" % (name, u["trade_id"], u["pnl_lobs"], pnl))
        check(u["symbol"] == t["symbol"] and Decimal(u["price"]) == o, "%s trade %s revealed as %s %s" % (name, u["trade_id"], u["symbol"], u["price"]))
        total += pnl
        closed += 1
    row = ranking.get(name, {})
    check(row.get("pnl_lobs") == str(total.quantize(Decimal("0.0001"))),
          "%s: ranked pnl %s, recomputed %s" % (name, row.get("pnl_lobs"), total))
    check(closed > 5 and row.get("closed") == closed and row.get("failed") == 0,
          "%s: %d closed in its log, ranking %s" % (name, closed, row))
    for statuses in seen.values():
        if "pending_reveal" in statuses and "revealed" in statuses[statuses.index("pending_reveal"):]:
            crossed = True
    a = agents[name]["sealed"]
    check(a["commits"] == len(seen) and a["closed"] == all_closed and a["pnl_lobs"] == str(all_total) and
          a["reveal_failed"] == 0 and a["refused"] == 0,
          "%s: %s; its log: %d trades, %d closed, pnl %s" % (name, a, len(seen), all_closed, all_total))
check(crossed, "no honest trade was revealed while pending_reveal")

# The lazy trader: its period trades went pending_reveal, then reveal_failed; zero PnL.
lazy = {}
for line in updates("lazy"):
    u = line["update"]
    if u["period"] == period:
        lazy.setdefault(u["trade_id"], []).append(u["status"])
check(len(lazy) > 5 and all(s == ["committed", "pending_reveal", "reveal_failed"] for s in lazy.values()),
      "lazy's trades: %s" % lazy)
check("lazy" not in ranking, "lazy is ranked: %s" % ranking.get("lazy"))
a = agents["lazy"]["sealed"]
check(a["reveal_failed"] == len(lazy) and a["revealed"] == 0 and a["closed"] == 0 and a["refused"] == 0,
      "lazy's counts %s" % a)

# The cheater: reveals refused as off the tape; nothing revealed, trades failed.
refusals = [line["update"]["error"] for line in updates("cheat") if line["update"]["error"]]
check(refusals and all(e["code"] == "REVEAL_MISMATCH" and e["reason"] == "price_off_tape" for e in refusals),
      "cheat's refusals: %s" % refusals[:3])
check("cheat" not in ranking, "cheat is ranked: %s" % ranking.get("cheat"))
cheat = agents["cheat"]["sealed"]
check(cheat["revealed"] == 0 and cheat["reveal_failed"] > 0, "cheat's counts %s" % cheat)
check(agents["cheat"]["sealed"]["refused"] == len(refusals), "cheat's counts %s vs %d refusals" % (agents["cheat"]["sealed"], len(refusals)))
print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF

cmp <(jq 'del(.timing)' "$tmp/report1.json") <(jq 'del(.timing)' "$tmp/report2.json") ||
  fail "two runs of the same season gave different reports"
cmp "$tmp/board1.txt" "$tmp/board2.txt" || fail "the text output differs between runs"
grep -q "^SEALED PERIOD $period .* complete\$" "$tmp/board1.txt" || fail "no SEALED PERIOD $period table: $(cat "$tmp/board1.txt")"
grep -A1 "^SEALED PERIOD $period " "$tmp/board1.txt" | grep -q '^RANK *AGENT *PNL_LOBS' || fail "no ranking header"

# 3. [reveal] period_days = 7 from a config file: 7-day periods on the feed's clock, so the
# lazy trader's first trades fail a week earlier.
printf '[reveal]\nperiod_days = 7\n' > "$tmp/week.toml"
mkdir "$tmp/week"
run 0 "$arena" run --config "$tmp/week.toml" --feed "$tmp/season.jsonl" --step-timeout 60s --json \
  --agent "lazy=python3 $strategies/sealed_trader.py --seed 3 --never-reveal --log $tmp/week/lazy.log"
week=$(( (start_ms - day) / (7 * day) ))
jqo ".sealed.period_days == 7 and [.sealed.periods[].period] == [$week, $((week + 1)), $((week + 2))]"
jqo "[.sealed.periods[].complete] == [true, true, false]"
first_fail=$(jq -rs '[.[].update | select(.status == "reveal_failed") | .time] | min' "$tmp/week/lazy.log")
want=$(python3 -c "
import datetime; print(datetime.datetime.fromtimestamp(($start_ms + 8 * $day) / 1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H'))")
[[ $first_fail == "$want"* ]] || fail "first reveal_failed at $first_fail, want the 7-day grace end $want"
jq -e ".sealed.periods[0].grace_end | startswith(\"$want\")" "$tmp/out" > /dev/null || fail "grace_end of a 7-day period"
echo "sim_sealed: ok"
