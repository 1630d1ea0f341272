#!/usr/bin/env python3
"""A stand-in for Docker's identity service (identity.docker.com), for the OIDC cache-hit
section of benches/credential_helper.sh.

POST /oauth/token with the RFC 8693 form Docker's actions send (grant_type token-exchange,
subject_token_type id_token, subject_token, connection_id, expires_in) answers
{"access_token": <JWT-shaped, exp = now + expires_in>, "issued_token_type", "token_type",
"expires_in"} when subject_token is the ID token given on the command line, and 400
{"error": "invalid_grant", "error_description": ...} otherwise. GET /requests answers how
many POSTs it has had. With MOCK_IDENTITY_CERT and MOCK_IDENTITY_KEY (PEM files) it serves
HTTPS. Prints its base URL on stdout once it listens; loopback only; stops when its parent
closes stdin.
"""
import base64
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ID_TOKEN = sys.argv[1]
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token(lifetime: int) -> str:
    now = int(time.time())
    claims = {"exp": now + lifetime, "iat": now, "sub": "bench-organization"}
    return ".".join([b64(b'{"alg":"none"}'), b64(json.dumps(claims).encode()), b64(b"sig")])


REQUESTS = 0
COUNTING = threading.Lock()


class Identity(BaseHTTPRequestHandler):
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
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        form = {name: values[-1] for name, values in parse_qs(body).items()}
        lifetime = int(form.get("expires_in", "300"))
        if (self.path == "/oauth/token" and form.get("grant_type") == EXCHANGE
                and form.get("subject_token_type") == ID_TOKEN_TYPE
                and form.get("subject_token") == ID_TOKEN and form.get("connection_id")):
            self.answer(200, {"access_token": access_token(lifetime),
                              "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                              "token_type": "Bearer", "expires_in": lifetime})
        else:
            self.answer(400, {"error": "invalid_grant",
                              "error_description": "no ruleset matched the ID token"})

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Identity)
scheme = "http"
if os.environ.get("MOCK_IDENTITY_CERT"):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.environ["MOCK_IDENTITY_CERT"], os.environ["MOCK_IDENTITY_KEY"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https"
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"{scheme}://127.0.0.1:{server.server_port}", flush=True)
sys.stdin.read()  # until the parent closes our stdin or exits
