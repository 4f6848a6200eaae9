#!/usr/bin/env python3
"""Random trader: a baseline. On each step, with probability --rate, sends a market order of a
random side and a fixed notional on a random symbol it has seen. Seeded, so the same feed gives
the same trades.

Options: --seed N (default 42), --rate P (default 0.05), --notional USDT (default 500),
--leverage L (default 3).
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arena import Strategy  # noqa: E402


class RandomTrader(Strategy):
    def __init__(self, seed, rate, notional, leverage):
        super().__init__()
        self.rng = random.Random(seed)
        self.rate = rate
        self.notional = notional
        self.leverage = leverage
        self.n = 0

    def on_step(self, step):
        if not self.quotes or self.rng.random() >= self.rate:
            return
        symbol = self.rng.choice(sorted(self.quotes))
        side = self.rng.choice(["buy", "sell"])
        self.n += 1
        self.order(symbol=symbol, side=side, type="market", notional=self.notional,
                   leverage=self.leverage, client_order_id="rnd-%d" % self.n,
                   rationale="coin flip")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--rate", type=float, default=0.05)
    p.add_argument("--notional", default="500")
    p.add_argument("--leverage", type=int, default=3)
    a = p.parse_args()
    RandomTrader(a.seed, a.rate, a.notional, a.leverage).run()
