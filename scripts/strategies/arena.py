"""Minimal harness for arena-sim strategies (PROTOCOL.md section 10), standard library only.

A strategy subclasses Strategy, overrides the on_* methods it cares about and calls run().
Each on_* method may call self.order(...) / self.cancel_all(); run() sends the collected
commands followed by {"kind": "done"} after every step marker.

Sealed (commit-reveal) trades, PROTOCOL.md section 6: self.commit(side, lobs, symbol, price)
hashes and signs the trade with the key from hello and remembers its symbol, price and nonce in
self.sealed (they exist nowhere else); self.reveal(...), self.close(...) and self.reveal_due()
send them when it is time. Signing needs the `cryptography` package (python3-cryptography),
imported only when a strategy first commits, so strategies that do not commit stay stdlib-only.

    class Hold(Strategy):
        def on_step(self, step):
            if not self.bought and self.quotes:
                self.order(symbol=sorted(self.quotes)[0], side="buy", type="market",
                           notional="1000")
                self.bought = True
"""
import base64
import json
import random
import sys
import uuid
from datetime import datetime, timezone
from decimal import Decimal


# ---- Keccak-256 -------------------------------------------------------------
# The commitment hash is Ethereum's Keccak-256 (pad byte 0x01). hashlib's sha3_256 is the
# FIPS-202 variant (pad byte 0x06, different digests), and pycryptodome is importable as
# Cryptodome only from Debian's own python3, so this is the plain sponge over Keccak-f[1600].
def _keccak_tables():
    rc, r = [], 1
    for _ in range(24):  # round constants from the LFSR x^8 + x^6 + x^5 + x^4 + 1
        c = 0
        for j in range(7):
            if r & 1:
                c |= 1 << ((1 << j) - 1)
            r = (r << 1) ^ (0x171 if r & 0x80 else 0)
        rc.append(c)
    rot, x, y = [0] * 25, 1, 0
    for t in range(24):  # rho offsets along the pi walk
        rot[x + 5 * y] = (t + 1) * (t + 2) // 2 % 64
        x, y = y, (2 * x + 3 * y) % 5
    return rc, rot


_KECCAK_RC, _KECCAK_ROT = _keccak_tables()
_M64 = (1 << 64) - 1


def _keccak_f(a):
    for rc in _KECCAK_RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ ((c[(x + 1) % 5] << 1 | c[(x + 1) % 5] >> 63) & _M64) for x in range(5)]
        b = [0] * 25
        for i in range(25):
            x, y, v, n = i % 5, i // 5, a[i] ^ d[i % 5], _KECCAK_ROT[i]
            b[y + 5 * ((2 * x + 3 * y) % 5)] = (v << n | v >> (64 - n)) & _M64
        a = [b[i] ^ (~b[(i + 1) % 5 + i - i % 5] & b[(i + 2) % 5 + i - i % 5]) for i in range(25)]
        a[0] ^= rc
    return a


def keccak256(data):
    """Keccak-256 digest (32 bytes) of bytes."""
    rate = 136
    padded = bytearray(data) + b"\x01" + bytes(-(len(data) + 1) % rate)
    padded[-1] |= 0x80
    a = [0] * 25
    for off in range(0, len(padded), rate):
        for i in range(rate // 8):
            a[i] ^= int.from_bytes(padded[off + 8 * i:off + 8 * i + 8], "little")
        a = _keccak_f(a)
    return b"".join(a[i].to_bytes(8, "little") for i in range(4))


assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"


# ---- commitment messages (PROTOCOL.md section 6) -----------------------------
def js_number(text):
    """The text JavaScript's Number(text).toString() prints: "87550.10" -> "87550.1",
    "100.0" -> "100", "1e21" -> "1e+21". Both languages round the decimal to the nearest
    double and print the shortest digits that round-trip; only the layout differs."""
    f = float(Decimal(text))
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError("not a finite number: %r" % text)
    if f == 0:
        return "0"
    _, digits, exp = Decimal(repr(abs(f))).normalize().as_tuple()
    d = "".join(map(str, digits))
    k, n = len(d), exp + len(d)  # value = 0.d * 10^n
    if k <= n <= 21:
        out = d + "0" * (n - k)
    elif 0 < n <= 21:
        out = d[:n] + "." + d[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * -n + d
    else:
        e = n - 1
        out = d[0] + ("." + d[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return ("-" if f < 0 else "") + out


def commitment_message(agent_id, action, side, lobs, symbol, price_text, timestamp, nonce):
    """The bytes of JSON.stringify({agent_id, action, side, lobs, symbol, price, timestamp,
    nonce}): that key order, no whitespace, price a bare JSON number in JavaScript's form.
    json.dumps(ensure_ascii=False) escapes strings as JSON.stringify does."""
    def s(v):
        return json.dumps(v, ensure_ascii=False)
    text = '{"agent_id":%s,"action":%s,"side":%s,"lobs":%d,"symbol":%s,"price":%s,' \
           '"timestamp":%s,"nonce":%s}' % (s(agent_id), s(action), s(side), int(lobs), s(symbol),
                                           js_number(price_text), s(timestamp), s(nonce))
    return text.encode("utf-8")


def _b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def arena_ms(iso):
    """Milliseconds since the epoch of an arena time such as "2024-08-16T00:00:05.523Z"."""
    t = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(t.timestamp()) * 1000 + t.microsecond // 1000


class Strategy:
    def __init__(self):
        self.name = None
        self.agent_id = None
        self.balance = Decimal(0)
        self.instruments = []
        self.quotes = {}      # symbol -> latest tick message
        self.positions = {}   # symbol -> signed Decimal quantity, from our fills
        self.arena_time = None  # the current step's arena_time
        self.signing_key = None  # hello's {"scheme","public_key","private_key"}
        self.reveal_config = None  # hello's "reveal": period_days, grace_h, period_end, ...
        # Sealed trades: trade_id -> record (before the engine names it: "0x<hash>" -> record).
        # A record holds side, lobs, symbol, price (text), nonce, timestamp, hash, status (the
        # engine's, "sent" until it answers), period, close, pnl_lobs and the last error.
        self.sealed = {}
        # Nonces come from this generator, so a rerun sends the same bytes; seeded with the
        # agent's name at hello unless the strategy set it.
        self.nonce_rng = None
        self._signer = None
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

    def commit(self, side, lobs, symbol, price_text):
        """Commits a sealed OPEN of `lobs` quote units, LONG or SHORT, on `symbol` at
        `price_text` (a decimal string, normally the tick's mark), stamped with the step's
        arena_time. Returns the commitment hash, which reveal() accepts until the engine names
        the trade. The engine sees only the hash and signature."""
        nonce = self._nonce()
        ts = self.arena_time
        digest = keccak256(commitment_message(self.agent_id, "OPEN", side, lobs, symbol,
                                              price_text, ts, nonce))
        h = "0x" + digest.hex()
        self.sealed[h] = {"trade_id": None, "hash": h, "side": side, "lobs": int(lobs),
                          "symbol": symbol, "price": price_text, "nonce": nonce, "timestamp": ts,
                          "status": "sent", "period": None, "close": None, "pnl_lobs": None,
                          "revealing": False, "error": None}
        self._out.append({"kind": "commit", "action": "OPEN", "side": side, "lobs": int(lobs),
                          "timestamp": ts, "commitment": self._commitment(h, digest)})
        return h

    def reveal(self, trade_id_or_hash):
        """Reveals a sealed trade's symbol, price and nonce; by "0x..." hash in the step it
        was committed in, else by trade id. Prices go out in the hashed (JavaScript) form."""
        rec = self.sealed[trade_id_or_hash]
        msg = {"kind": "reveal"}
        if rec["trade_id"] is None:
            msg["commitment_hash"] = rec["hash"]
        else:
            msg["trade_id"] = rec["trade_id"]
        msg.update(symbol=rec["symbol"], price=js_number(rec["price"]), nonce=rec["nonce"])
        rec["revealing"] = True
        self._out.append(msg)

    def close(self, trade_id, price_text):
        """Closes a sealed trade at `price_text`, stamped with the step's arena_time, with a
        signed CLOSE commitment; reveals the open too when it is not revealed (nor being).
        REQUIRES: trade_id is the engine's id, from the commit's commitment_update."""
        rec = self.sealed[trade_id]
        ts, nonce = self.arena_time, self._nonce()
        digest = keccak256(commitment_message(self.agent_id, "CLOSE", rec["side"], rec["lobs"],
                                              rec["symbol"], price_text, ts, nonce))
        msg = {"kind": "close", "trade_id": rec["trade_id"]}
        if rec["status"] in ("committed", "pending_reveal") and not rec["revealing"]:
            msg["reveal"] = {"symbol": rec["symbol"], "price": js_number(rec["price"]),
                             "nonce": rec["nonce"]}
            rec["revealing"] = True
        msg["close"] = {"price": js_number(price_text), "timestamp": ts, "nonce": nonce}
        msg["close_commitment"] = self._commitment("0x" + digest.hex(), digest)
        rec["close"] = {"price": price_text, "timestamp": ts, "nonce": nonce}
        self._out.append(msg)

    def reveal_due(self, pending_only=False):
        """Reveals every sealed open not revealed yet (committed or pending_reveal), or with
        pending_only just those whose period has ended (pending_reveal: due before the grace
        ends). A trade whose last update was a refusal is left alone until its status changes
        (reveal() retries at once)."""
        want = ("pending_reveal",) if pending_only else ("committed", "pending_reveal")
        for key, rec in list(self.sealed.items()):
            if key == rec["trade_id"] and rec["status"] in want and not rec["revealing"] \
                    and rec["error"] is None:
                self.reveal(key)

    def _nonce(self):
        if self.nonce_rng is None:
            self.nonce_rng = random.Random(self.name)
        return str(uuid.UUID(int=self.nonce_rng.getrandbits(128), version=4))

    def _commitment(self, h, digest):
        if self._signer is None:
            # Imported here so that strategies which never commit need only the standard library.
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
            if not self.signing_key or self.signing_key.get("scheme") != "ed25519":
                raise RuntimeError("hello gave no ed25519 signing_key; cannot commit")
            self._signer = Ed25519PrivateKey.from_private_bytes(
                _b64url_decode(self.signing_key["private_key"]))
        return {"hash": h, "signature": _b64url(self._signer.sign(digest)), "scheme": "ed25519"}

    def _apply_commitment_update(self, msg):
        rec = None
        if msg.get("trade_id") is not None:
            rec = self.sealed.get(msg["trade_id"])
        if rec is None and msg.get("commitment_hash") in self.sealed:
            rec = self.sealed[msg["commitment_hash"]]
            if msg.get("trade_id") is not None:  # the engine named it: index by trade id too
                rec["trade_id"] = msg["trade_id"]
                self.sealed[msg["trade_id"]] = rec
        if rec is None:
            return
        rec["status"] = msg["status"]
        rec["error"] = msg.get("error")
        for key in ("period", "pnl_lobs"):
            if msg.get(key) is not None:
                rec[key] = msg[key]
        rec["revealing"] = False  # updates arrive after the commands they answer

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

    def on_commitment_update(self, msg):
        """An answer to a commit, reveal or close, or a period transition; self.sealed is
        already updated."""
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
                self.agent_id = msg.get("agent_id")
                self.balance = Decimal(msg["balance"])
                self.instruments = msg.get("instruments", [])
                self.arena_time = msg.get("arena_time")
                self.signing_key = msg.get("signing_key")
                self.reveal_config = msg.get("reveal")
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
            elif kind == "commitment_update":
                self._apply_commitment_update(msg)
                self.on_commitment_update(msg)
            elif kind == "step":
                self.arena_time = msg["arena_time"]
                self.on_step(msg)
                for command in self._out:
                    sys.stdout.write(json.dumps(command) + "\n")
                self._out = []
                sys.stdout.write('{"kind":"done"}\n')
                sys.stdout.flush()
            elif kind == "bye":
                self.on_bye(msg)
                return
