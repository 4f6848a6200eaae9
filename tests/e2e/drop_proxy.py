#!/usr/bin/env python3
"""HTTP/1.1 proxy for client.sh: forwards requests to the arena, but for the first request whose
method is in DROP it forwards the request and then closes the client's connection without the
answer, as a lost response would. Prints its port, then "dropped METHOD" when it drops. Usage: drop_proxy.py UPSTREAM_PORT METHOD"""
import socket
import socketserver
import sys
import threading

upstream_port = int(sys.argv[1])
drop_method = sys.argv[2].encode()
dropped = threading.Event()


def read_message(sock, buf):
    """One HTTP message (head + Content-Length body) from sock; returns (message, rest) or (None, b'')."""
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


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        up = socket.create_connection(("127.0.0.1", upstream_port))
        buf = b""
        try:
            while True:
                request, buf = read_message(self.request, buf)
                if request is None:
                    return
                up.sendall(request)
                response, _ = read_message(up, b"")
                if response is None:
                    return
                if request.startswith(drop_method + b" ") and not dropped.is_set():
                    dropped.set()
                    print("dropped", drop_method.decode(), flush=True)
                    return  # the arena acted; the client never hears of it
                self.request.sendall(response)
        finally:
            up.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


with Server(("127.0.0.1", 0), Handler) as server:
    print(server.server_address[1], flush=True)
    server.serve_forever()
