#!/usr/bin/env python3
"""Moving-average crossover: per symbol, keeps a fast and a slow simple moving average of the
mid price (one sample per step with a tick). When the fast crosses above the slow it goes long a
fixed notional; when it crosses below it goes short the same notional (flipping through zero).

Options: --fast N (default 10), --slow N (default 30), --notional USDT (default 1000),
--leverage L (default 2).
"""
import argparse
import os
import sys
from collections import deque
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arena import Strategy  # noqa: E402


class MaCrossover(Strategy):
    def __init__(self, fast, slow, notional, leverage):
        super().__init__()
        self.fast, self.slow = fast, slow
        self.notional = Decimal(notional)
        self.leverage = leverage
        self.prices = {}   # symbol -> deque of mids
        self.state = {}    # symbol -> +1 long, -1 short, 0 flat
        self.updated = set()
        self.n = 0

    def on_tick(self, msg):
        self.updated.add(msg["symbol"])

    def on_step(self, step):
        for symbol in sorted(self.updated):
            mid = self.mid(symbol)
            if mid is None:
                continue
            window = self.prices.setdefault(symbol, deque(maxlen=self.slow))
            window.append(mid)
            if len(window) < self.slow:
                continue
            fast = sum(list(window)[-self.fast:]) / self.fast
            slow = sum(window) / self.slow
            want = 1 if fast > slow else -1 if fast < slow else self.state.get(symbol, 0)
            have = self.state.get(symbol, 0)
            if want == have:
                continue
            # From flat: one notional; from the other side: two (close and reverse).
            size = self.notional * (2 if have != 0 else 1)
            self.n += 1
            self.order(symbol=symbol, side="buy" if want > 0 else "sell", type="market",
                       notional=str(size), leverage=self.leverage,
                       client_order_id="ma-%d" % self.n,
                       rationale="fast %s slow %s" % (round(fast, 4), round(slow, 4)))
            self.state[symbol] = want
        self.updated.clear()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fast", type=int, default=10)
    p.add_argument("--slow", type=int, default=30)
    p.add_argument("--notional", default="1000")
    p.add_argument("--leverage", type=int, default=2)
    a = p.parse_args()
    MaCrossover(a.fast, a.slow, a.notional, a.leverage).run()
