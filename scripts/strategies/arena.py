"""Minimal harness for arena-sim strategies (PROTOCOL.md section 10), standard library only.

A strategy subclasses Strategy, overrides the on_* methods it cares about and calls run().
Each on_* method may call self.order(...) / self.cancel_all(); run() sends the collected
commands followed by {"kind": "done"} after every step marker.

    class Hold(Strategy):
        def on_step(self, step):
            if not self.bought and self.quotes:
                self.order(symbol=sorted(self.quotes)[0], side="buy", type="market",
                           notional="1000")
                self.bought = True
"""
import json
import sys
from decimal import Decimal


class Strategy:
    def __init__(self):
        self.name = None
        self.balance = Decimal(0)
        self.instruments = []
        self.quotes = {}      # symbol -> latest tick message
        self.positions = {}   # symbol -> signed Decimal quantity, from our fills
        self._out = []

    # ---- commands -------------------------------------------------------
    def order(self, **fields):
        fields["kind"] = "order"
        self._out.append(fields)

    def cancel(self, order_id=None, client_order_id=None):
        msg = {"kind": "cancel"}
        if order_id is not None:
            msg["order_id"] = order_id
        else:
            msg["client_order_id"] = client_order_id
        self._out.append(msg)

    def cancel_all(self):
        self._out.append({"kind": "cancel_all"})

    # ---- helpers ----------------------------------------------------------
    def mid(self, symbol):
        """Mid of bid/ask when both are known, else last or mark; None if nothing yet."""
        q = self.quotes.get(symbol) or {}
        if q.get("bid") and q.get("ask"):
            return (Decimal(q["bid"]) + Decimal(q["ask"])) / 2
        for key in ("last", "mark"):
            if q.get(key):
                return Decimal(q[key])
        return None

    # ---- callbacks (override) ---------------------------------------------
    def on_hello(self, msg):
        pass

    def on_tick(self, msg):
        pass

    def on_fill(self, msg):
        pass

    def on_order_update(self, msg):
        pass

    def on_step(self, msg):
        pass

    def on_bye(self, msg):
        pass

    # ---- loop ---------------------------------------------------------------
    def run(self):
        while True:
            line = sys.stdin.readline()
            if not line:
                return
            msg = json.loads(line)
            kind = msg.get("kind")
            if kind == "hello":
                self.name = msg["name"]
                self.balance = Decimal(msg["balance"])
                self.instruments = msg.get("instruments", [])
                self.on_hello(msg)
            elif kind == "tick":
                self.quotes[msg["symbol"]] = msg
                self.on_tick(msg)
            elif kind == "fill":
                qty = Decimal(msg["quantity"])
                signed = qty if msg["side"] == "buy" else -qty
                self.positions[msg["symbol"]] = self.positions.get(msg["symbol"], Decimal(0)) + signed
                self.on_fill(msg)
            elif kind == "order_update":
                self.on_order_update(msg)
            elif kind == "step":
                self.on_step(msg)
                for command in self._out:
                    sys.stdout.write(json.dumps(command) + "\n")
                self._out = []
                sys.stdout.write('{"kind":"done"}\n')
                sys.stdout.flush()
            elif kind == "bye":
                self.on_bye(msg)
                return
