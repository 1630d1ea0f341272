#!/usr/bin/env python3
"""A stand-in for Docker Hub's registry and token service, for benches/rate_limit_vs_curl.sh.

One server on 127.0.0.1 plays both, as Docker Hub answers them:
  GET  /v2/      401 with `Bearer realm="<this server>/token",service="registry.docker.io"`
  GET  /token    200 {"token", "access_token", "expires_in": 300, "issued_at"} (anonymous)
  POST /token    404 (the OAuth2 form is not offered; clients fall back to GET)
  HEAD /v2/ratelimitpreview/test/manifests/latest   200 with the pull-limit headers, when the
                 request carries the token
Prints its base URL on stdout once it listens; stops when its parent closes stdin.
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = "registry.docker.io"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# A JWT-shaped token of about Docker Hub's size (its registry tokens are ~1 KB).
TOKEN = ".".join([
    b64(b'{"alg":"RS256","typ":"JWT","x5c":["' + b"A" * 600 + b'"]}'),
    b64(json.dumps({"access": [{"type": "repository", "name": "ratelimitpreview/test",
                                "actions": ["pull"]}], "aud": SERVICE}).encode()),
    b64(b"s" * 256),
])


class Registry(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; without TCP_NODELAY the second waits for the
    # client's delayed ACK (40 ms) on a reused connection, which real servers never make
    # a keep-alive client pay.
    disable_nagle_algorithm = True

    def do_GET(self):
        if self.path == "/v2/":
            realm = f"http://127.0.0.1:{self.server.server_port}/token"
            self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                        {"www-authenticate": f'Bearer realm="{realm}",service="{SERVICE}"'})
        elif self.path.startswith("/token?"):
            issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            self.answer(200, {"token": TOKEN, "access_token": TOKEN, "expires_in": 300,
                              "issued_at": issued})
        else:
            self.answer(404, {"errors": [{"code": "NOT_FOUND", "message": "not found"}]})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.answer(404, {"details": "not found"})

    def do_HEAD(self):
        authorized = self.headers.get("authorization") == f"Bearer {TOKEN}"
        if self.path == "/v2/ratelimitpreview/test/manifests/latest" and authorized:
            self.send_response(200)
            for name, value in [("content-type", "application/vnd.docker.distribution.manifest.v2+json"),
                                ("content-length", "528"),
                                ("ratelimit-limit", "100;w=21600"),
                                ("ratelimit-remaining", "76;w=21600"),
                                ("docker-ratelimit-source", "203.0.113.7")]:
                self.send_header(name, value)
        else:
            self.send_response(401)
            self.send_header("content-length", "0")
        self.end_headers()

    def answer(self, status, payload, headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"http://127.0.0.1:{server.server_port}", flush=True)
sys.stdin.read()  # until the parent closes our stdin or exits
