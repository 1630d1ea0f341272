#!/usr/bin/env python3
"""A stand-in for Docker Hub's token route, for CI's run of the README's main command.

Answers POST /v2/auth/token with a JWT-shaped token when the body has the identifier and
secret given on the command line, and 401 otherwise. GET /requests answers how many POSTs
it has had (for the benchmarks that count requests on the wire). An optional third
argument delays every token answer by that many milliseconds, a stand-in for the distance
to the real Hub. Prints its base URL on stdout once it listens. Loopback only; stops when
its parent closes stdin.

With MOCK_HUB_CERT and MOCK_HUB_KEY (PEM files: a certificate for 127.0.0.1 and its key) it
serves HTTPS instead, for benchmarks of an https:// base URL.
"""
import base64
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IDENTIFIER, SECRET = sys.argv[1], sys.argv[2]
DELAY = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token() -> str:
    now = int(time.time())
    claims = {"exp": now + 600, "iat": now, "https://hub.docker.com": {"username": IDENTIFIER}}
    return ".".join([b64(b'{"alg":"none"}'), b64(json.dumps(claims).encode()), b64(b"sig")])


REQUESTS = 0
COUNTING = threading.Lock()


class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/requests":
            with COUNTING:
                self.answer(200, {"requests": REQUESTS})
        else:
            self.answer(404, {"message": "not found"})

    def do_POST(self):
        global REQUESTS
        with COUNTING:
            REQUESTS += 1
        if DELAY:
            time.sleep(DELAY)
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            sent = json.loads(body)
        except ValueError:
            sent = {}
        if self.path == "/v2/auth/token" and sent == {"identifier": IDENTIFIER, "secret": SECRET}:
            self.answer(200, {"access_token": token()})
        else:
            self.answer(401, {"message": "unauthorized", "errinfo": {}})

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
scheme = "http"
if os.environ.get("MOCK_HUB_CERT"):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.environ["MOCK_HUB_CERT"], os.environ["MOCK_HUB_KEY"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https"
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"{scheme}://127.0.0.1:{server.server_port}", flush=True)
sys.stdin.read()  # until the parent closes our stdin or exits
