#!/usr/bin/env python3
"""Buy and hold: on the first step with a price, buy the first symbol (alphabetically) with
half of the starting balance, then hold until the end.

    arena-sim run --feed feed.jsonl --agent hold='python3 scripts/strategies/buy_and_hold.py'

Options: --symbol SYM (default: first seen), --fraction F (of the balance, default 0.5).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arena import Strategy  # noqa: E402
from decimal import Decimal  # noqa: E402


class BuyAndHold(Strategy):
    def __init__(self, symbol, fraction):
        super().__init__()
        self.symbol = symbol
        self.fraction = Decimal(fraction)
        self.sent = False

    def on_step(self, step):
        if self.sent or not self.quotes:
            return
        symbol = self.symbol or sorted(self.quotes)[0]
        if symbol not in self.quotes:
            return
        notional = (self.balance * self.fraction).quantize(Decimal("0.01"))
        self.order(symbol=symbol, side="buy", type="market", notional=str(notional),
                   client_order_id="hold-1", rationale="buy and hold")
        self.sent = True


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--symbol")
    p.add_argument("--fraction", default="0.5")
    a = p.parse_args()
    BuyAndHold(a.symbol, a.fraction).run()
