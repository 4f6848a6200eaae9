#!/usr/bin/env python3
"""An independent check of DPoP proofs against RFC 9449 section 4.3, written from the RFC (and
RFC 7515 JWS, RFC 7638 thumbprints, RFC 8037 OKP keys), not from Claw's verifier. Uses
python3-cryptography for Ed25519 and hashlib for SHA-256.

  dpop_rfc9449.py check --method M --url U [--access-token-file F] [--jkt J] [--window S] < proof
      prints "ok <jkt>" and exits 0, or "FAIL <rule>: <why>" and exits 1.
  dpop_rfc9449.py proxy UPSTREAM_PORT_FILE LOG
      an HTTP/1.1 proxy on a free port (printed first) that forwards everything to the arena
      (its port read from UPSTREAM_PORT_FILE for each connection, so the arena may restart) and
      checks every DPoP header it sees against the request that carried it, appending
      "ok METHOD PATH" or "FAIL METHOD PATH <rule>: <why>" lines to LOG."""
import base64
import hashlib
import json
import re
import socket
import socketserver
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class Fail(Exception):
    pass


def b64url_decode(part, what):
    # RFC 7515 section 2: base64url without padding; no other characters.
    if not B64URL.match(part) or len(part) % 4 == 1:
        raise Fail(f"2: {what} is not unpadded base64url")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def normalise(url):
    # RFC 9449 section 4.3 point 9: compare without query and fragment, after syntax-based and
    # scheme-based normalisation (RFC 3986 sections 6.2.2 and 6.2.3).
    p = urlsplit(url)
    scheme = p.scheme.lower()
    host = (p.hostname or "").lower()
    port = p.port
    if (scheme == "http" and port == 80) or (scheme == "https" and port == 443):
        port = None
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((scheme, netloc, p.path or "/", "", ""))


def thumbprint(jwk):
    # RFC 7638 section 3.2: required members of an OKP key (RFC 8037), lexicographic order,
    # no whitespace.
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]},
                           separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def check(proof, method, url, access_token=None, jkt=None, window=60, now=None):
    """Raises Fail naming the RFC 9449 section 4.3 point that is violated; returns the jkt."""
    now = time.time() if now is None else now
    # 2. a single well-formed JWT (compact JWS: three parts).
    parts = proof.split(".")
    if len(parts) != 3:
        raise Fail("2: not a compact JWS of three parts")
    try:
        header = json.loads(b64url_decode(parts[0], "header"))
        claims = json.loads(b64url_decode(parts[1], "payload"))
    except (ValueError, UnicodeDecodeError) as e:
        raise Fail(f"2: header or payload is not JSON ({e})")
    signature = b64url_decode(parts[2], "signature")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Fail("2: header and payload must be JSON objects")
    # 3. required claims.
    for claim in ("jti", "htm", "htu", "iat"):
        if claim not in claims:
            raise Fail(f"3: claim {claim} missing")
    if not isinstance(claims["jti"], str) or not claims["jti"]:
        raise Fail("3: jti must be a non-empty string")
    # 4. typ.
    if header.get("typ") != "dpop+jwt":
        raise Fail("4: typ is not dpop+jwt")
    # 5. an asymmetric algorithm, not none, not a MAC (EdDSA per RFC 8037).
    alg = header.get("alg")
    if alg in (None, "none") or str(alg).startswith("HS"):
        raise Fail(f"5: alg {alg!r} is not an asymmetric algorithm")
    if alg != "EdDSA":
        raise Fail(f"5: alg {alg!r} is not supported here (EdDSA)")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict):
        raise Fail("6: no jwk in the header")
    # 7. the jwk is a public key: no private member (d for OKP, RFC 8037 section 2).
    if "d" in jwk:
        raise Fail("7: jwk contains the private key d")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise Fail("6: jwk is not an OKP Ed25519 public key")
    x = b64url_decode(jwk["x"], "jwk x")
    if len(x) != 32:
        raise Fail("6: jwk x is not 32 bytes")
    # 6. the signature verifies with the jwk (JWS signing input: header.payload, ASCII).
    try:
        Ed25519PublicKey.from_public_bytes(x).verify(signature, (parts[0] + "." + parts[1]).encode())
    except InvalidSignature:
        raise Fail("6: signature does not verify with the jwk")
    # 8. htm.
    if claims["htm"] != method:
        raise Fail(f"8: htm {claims['htm']!r} is not the request method {method!r}")
    # 9. htu, ignoring query and fragment.
    if not isinstance(claims["htu"], str) or normalise(claims["htu"]) != normalise(url):
        raise Fail(f"9: htu {claims['htu']!r} is not the request URL {url!r}")
    if urlsplit(claims["htu"]).query or urlsplit(claims["htu"]).fragment:
        raise Fail("9: htu carries a query or fragment (section 4.2: without them)")
    # 11. creation time within the acceptable window.
    iat = claims["iat"]
    if not isinstance(iat, int) or isinstance(iat, bool) or abs(iat - now) > window:
        raise Fail(f"11: iat {iat!r} is not within {window} s of now")
    # 12. with an access token: ath, and the key bound to the token.
    if access_token is not None:
        want = b64url(hashlib.sha256(access_token.encode("ascii")).digest())
        if claims.get("ath") != want:
            raise Fail("12: ath is not base64url(SHA-256(access token))")
    tp = thumbprint(jwk)
    if jkt is not None and tp != jkt:
        raise Fail(f"12: key thumbprint {tp} is not the bound jkt {jkt}")
    return tp


def main_check(args):
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--method", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--access-token-file")
    p.add_argument("--jkt")
    p.add_argument("--window", type=int, default=60)
    p.add_argument("--now", type=int)
    a = p.parse_args(args)
    token = None
    if a.access_token_file:
        with open(a.access_token_file) as f:
            token = f.read().rstrip("\r\n")
    proof = sys.stdin.read().strip()
    try:
        tp = check(proof, a.method, a.url, token, a.jkt, a.window, a.now)
    except Fail as e:
        print("FAIL", e)
        return 1
    print("ok", tp)
    return 0


def read_message(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def main_proxy(args):
    port_file = args[0]
    log = open(args[1], "a", buffering=1)
    lock = threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            with open(port_file) as f:
                upstream_port = int(f.read().strip())
            up = socket.create_connection(("127.0.0.1", upstream_port))
            buf = b""
            try:
                while True:
                    request, buf = read_message(self.request, buf)
                    if request is None:
                        return
                    self.inspect(request)
                    up.sendall(request)
                    response, _ = read_message(up, b"")
                    if response is None:
                        return
                    self.request.sendall(response)
            finally:
                up.close()

        def inspect(self, request):
            head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, target, _ = head[0].split(" ", 2)
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), []).append(value.strip())
            proofs = headers.get("dpop", []) + headers.get("x-dpop", [])
            if not proofs:
                return
            path = target.split("?", 1)[0]
            url = f"http://127.0.0.1:{server.server_address[1]}{target}"
            token = None
            for auth in headers.get("authorization", []):
                if auth[:5].lower() == "dpop ":
                    token = auth[5:].strip()
            try:
                if len(proofs) != 1:  # 1. exactly one DPoP header
                    raise Fail("1: more than one DPoP header")
                check(proofs[0], method, url, token)
                line = f"ok {method} {path}"
            except Fail as e:
                line = f"FAIL {method} {path} {e}"
            with lock:
                log.write(line + "\n")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "check":
        sys.exit(main_check(sys.argv[2:]))
    if len(sys.argv) == 4 and sys.argv[1] == "proxy":
        main_proxy(sys.argv[2:])
        sys.exit(0)
    print(__doc__, file=sys.stderr)
    sys.exit(2)
