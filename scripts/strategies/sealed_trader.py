#!/usr/bin/env python3
"""Sealed trader: commit-reveal trades (PROTOCOL.md section 6). Every --every-hours of arena
time it commits a sealed LONG or SHORT of --lobs quote units on one symbol at the tick's mark:
LONG when the mark rose or held over the last --lookback-hours, else SHORT. Only the hash is
public until it reveals. It closes each trade --hold-hours later (the close reveals it), and
reveals what is due: a trade still sealed when its reveal period ends (pending_reveal) is
revealed during the grace, so it still counts in that period's ranking.

    arena-sim run --feed feed.jsonl --agent sealed='python3 scripts/strategies/sealed_trader.py'

Options: --symbol SYM (default: first seen), --lobs N (default 500), --every-hours H (default
24), --hold-hours H (default 36), --lookback-hours H (default 6), --seed N (seeds the nonces;
default: the agent's name).
For tests: --never-reveal (commits, never reveals nor closes: its trades end reveal_failed),
--cheat-bps B (commits a price B bps above the mark and reveals it at once: refused as
REVEAL_MISMATCH price_off_tape), --log FILE (appends a JSON line {"update", "trade"} per
commitment_update: the update and the strategy's own record of the trade).
Needs the python3-cryptography package to sign.
"""
import argparse
import json
import os
import random
import sys
from collections import deque
from decimal import Decimal, ROUND_HALF_EVEN

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arena import Strategy, arena_ms  # noqa: E402

HOUR_MS = 3600 * 1000


class SealedTrader(Strategy):
    def __init__(self, a):
        super().__init__()
        self.symbol = a.symbol
        self.lobs = a.lobs
        self.every = int(Decimal(a.every_hours) * HOUR_MS)
        self.hold = int(Decimal(a.hold_hours) * HOUR_MS)
        self.lookback = int(Decimal(a.lookback_hours) * HOUR_MS)
        self.never_reveal = a.never_reveal
        self.cheat = Decimal(a.cheat_bps)
        if a.seed is not None:
            self.nonce_rng = random.Random(a.seed)
        self.log = open(a.log, "a") if a.log else None
        self.marks = deque()   # (ms, mark) of our symbol, oldest first, back to the lookback
        self.next_commit = None
        self.closing = set()   # trade ids whose close was sent

    def on_tick(self, msg):
        if self.symbol is None:
            self.symbol = msg["symbol"]

    def on_commitment_update(self, msg):
        if self.log is None:
            return
        rec = self.sealed.get(msg.get("trade_id")) or self.sealed.get(msg.get("commitment_hash"))
        self.log.write(json.dumps({"update": msg, "trade": rec}) + "\n")
        self.log.flush()

    def on_step(self, step):
        mark = (self.quotes.get(self.symbol) or {}).get("mark")
        if not mark:
            return
        now = arena_ms(step["arena_time"])
        self.marks.append((now, Decimal(mark)))
        while len(self.marks) > 1 and self.marks[1][0] <= now - self.lookback:
            self.marks.popleft()  # marks[0] stays: the last mark at or before the lookback
        if not self.never_reveal:
            self.reveal_due(pending_only=True)
            self.close_held(now, mark)
        if self.next_commit is None or now >= self.next_commit:
            self.open_trade(mark)
            self.next_commit = (self.next_commit or now) + self.every

    def close_held(self, now, mark):
        for key, rec in list(self.sealed.items()):
            if key != rec["trade_id"] or key in self.closing:
                continue
            if rec["status"] in ("committed", "pending_reveal", "revealed") and \
                    now >= arena_ms(rec["timestamp"]) + self.hold:
                self.close(key, mark)
                self.closing.add(key)

    def open_trade(self, mark):
        side = "LONG" if Decimal(mark) >= self.marks[0][1] else "SHORT"
        price = mark
        if self.cheat:
            # The off price goes into the hash too, so the reveal matches its commitment and
            # only the tape check can catch it.
            off = Decimal(mark) * (1 + self.cheat / 10000)
            price = str(off.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))
        h = self.commit(side, self.lobs, self.symbol, price)
        if self.cheat and not self.never_reveal:
            self.reveal(h)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--symbol")
    p.add_argument("--lobs", type=int, default=500)
    p.add_argument("--every-hours", default="24")
    p.add_argument("--hold-hours", default="36")
    p.add_argument("--lookback-hours", default="6")
    p.add_argument("--seed", type=int)
    p.add_argument("--never-reveal", action="store_true")
    p.add_argument("--cheat-bps", default="0")
    p.add_argument("--log")
    SealedTrader(p.parse_args()).run()
