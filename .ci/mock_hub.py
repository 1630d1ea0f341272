#!/usr/bin/env python3
"""A stand-in for Docker Hub's token route, for CI's run of the README's main command.

Answers POST /v2/auth/token with a JWT-shaped token when the body has the identifier and
secret given on the command line, and 401 otherwise. Prints its base URL on stdout once it
listens. Loopback only; stops when its parent closes stdin.
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IDENTIFIER, SECRET = sys.argv[1], sys.argv[2]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token() -> str:
    now = int(time.time())
    claims = {"exp": now + 600, "iat": now, "https://hub.docker.com": {"username": IDENTIFIER}}
    return ".".join([b64(b'{"alg":"none"}'), b64(json.dumps(claims).encode()), b64(b"sig")])


class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
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
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"http://127.0.0.1:{server.server_port}", flush=True)
sys.stdin.read()  # until the parent closes our stdin or exits
