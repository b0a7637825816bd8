#!/usr/bin/env python3
"""Small local fakes of the places AWS tools get credentials and connections from.

    fake_edges.py MODE [options] --parent-pid PID

Modes (each binds 127.0.0.1 on a free port, prints "READY <port>" on stdout, serves until
its parent is gone, SIGTERM, or --max-lifetime-seconds):

  imds       EC2 instance metadata, IMDSv2 only: PUT /latest/api/token (needs the
             x-aws-ec2-metadata-token-ttl-seconds header) gives a token; the GETs under
             /latest/meta-data/iam/security-credentials/ need it (401 without).
  container  the ECS / EKS Pod Identity credentials endpoint: GET any path, 401 unless the
             Authorization header is --token.
  sso        the IAM Identity Center portal: GET /federation/credentials?account_id&role_name,
             401 unless x-amz-sso_bearer_token is --token.
  proxy      a forwarding HTTP proxy: CONNECT host:port tunnels, and absolute-form requests
             forwarded, both only to loopback targets; counted. A CONNECT to any other host
             is refused (403) without contacting it, and recorded in refusedTunnels.
  tls        a TLS terminator: accepts TLS with --cert/--key and pipes the bytes to
             127.0.0.1:--upstream-port.
  front      a keep-alive HTTP/1.1 front for 127.0.0.1:--upstream-port (werkzeug, under moto,
             closes every connection; AWS endpoints keep them open): each request is passed
             upstream on a new connection, and the client's connection is kept.

Credentials handed out get a new access key id each time (ASIAFAKE<MODE><n>) and expire
--expires-seconds after issue. Every mode but tls answers GET /_edge/stats (JSON) on its own
port: requests, rejections and the keys issued with their expiry, or the proxy's tunnels.
Secrets are never logged.
"""

import argparse
import datetime
import http.client
import json
import os
import select
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INITIAL_PPID = os.getppid()
LOCK = threading.Lock()
STATS = {"requests": 0, "rejected": 0, "tokenRequests": 0, "issued": [], "tunnels": {}, "forwarded": 0,
         "queries": [], "refusedTunnels": {}}
ARGS = None


def iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(prefix: str) -> dict:
    with LOCK:
        n = len(STATS["issued"]) + 1
        expires = time.time() + ARGS.expires_seconds
        key = f"ASIAFAKE{prefix}{n:08d}"
        STATS["issued"].append({"accessKeyId": key, "expiration": expires})
    return {"AccessKeyId": key, "SecretAccessKey": f"fake-secret-{prefix.lower()}-{n}",
            "Token": f"fake-session-token-{prefix.lower()}-{n}", "Expiration": iso(expires), "expires": expires}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: headers carry tokens
        pass

    def reply(self, status: int, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def stats(self) -> bool:
        if self.path == "/_edge/stats":
            with LOCK:
                self.reply(200, STATS)
            return True
        return False

    def count(self):
        with LOCK:
            STATS["requests"] += 1

    def reject(self, status=401, text="unauthorized"):
        with LOCK:
            STATS["rejected"] += 1
        self.reply(status, {"message": text})

    # -- imds ---------------------------------------------------------------
    def do_PUT(self):
        if ARGS.mode != "imds" or self.path != "/latest/api/token":
            return self.reply(404, {"message": "not found"})
        self.count()
        if not self.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
            return self.reject(400, "missing ttl")
        with LOCK:
            STATS["tokenRequests"] += 1
        self.reply(200, ARGS.token, "text/plain")

    def do_GET(self):
        if ARGS.mode == "front":
            return self.relay()
        if self.stats():
            return
        self.count()
        if ARGS.mode == "imds":
            if self.headers.get("x-aws-ec2-metadata-token") != ARGS.token:
                return self.reject()
            base = "/latest/meta-data/iam/security-credentials/"
            if self.path == base:
                return self.reply(200, ARGS.role, "text/plain")
            if self.path == base + ARGS.role:
                creds = issue("IMDS")
                return self.reply(200, {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": creds["AccessKeyId"],
                                        "SecretAccessKey": creds["SecretAccessKey"], "Token": creds["Token"],
                                        "Expiration": creds["Expiration"], "LastUpdated": iso(time.time())})
            return self.reply(404, {"message": "not found"})
        if ARGS.mode == "container":
            if self.headers.get("Authorization") != ARGS.token:
                return self.reject()
            creds = issue("CONT")
            return self.reply(200, {k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")})
        if ARGS.mode == "sso":
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            if parsed.path != "/federation/credentials":
                return self.reply(404, {"message": "not found"})
            if self.headers.get("x-amz-sso_bearer_token") != ARGS.token:
                return self.reject(401, "Session token not found or invalid")
            with LOCK:
                STATS["queries"].append(query)
            creds = issue("SSO")
            return self.reply(200, {"roleCredentials": {
                "accessKeyId": creds["AccessKeyId"], "secretAccessKey": creds["SecretAccessKey"],
                "sessionToken": creds["Token"], "expiration": int(creds["expires"] * 1000)}})
        if ARGS.mode == "proxy":
            return self.forward()
        self.reply(404, {"message": "not found"})

    do_POST = do_GET

    # -- front --------------------------------------------------------------
    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        upstream = http.client.HTTPConnection("127.0.0.1", ARGS.upstream_port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("connection", "keep-alive", "content-length", "transfer-encoding", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- proxy --------------------------------------------------------------
    def do_CONNECT(self):
        if ARGS.mode != "proxy":
            return self.reply(405, {"message": "no"})
        host, _, port = self.path.rpartition(":")
        host = host.strip("[]")
        if host not in ("127.0.0.1", "localhost", "::1"):
            # Recorded, never contacted: shows which AWS endpoint a client chose.
            with LOCK:
                STATS["refusedTunnels"][self.path] = STATS["refusedTunnels"].get(self.path, 0) + 1
            return self.reply(403, {"message": "only loopback targets"})
        with LOCK:
            STATS["tunnels"][self.path] = STATS["tunnels"].get(self.path, 0) + 1
        try:
            upstream = socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            return self.reply(502, {"message": "upstream unreachable"})
        self.send_response(200, "Connection Established")
        self.end_headers()
        pipe(self.connection, upstream)
        self.close_connection = True

    def forward(self):
        target = urllib.parse.urlsplit(self.path)
        if target.hostname not in ("127.0.0.1", "localhost", "::1") or not target.port:
            return self.reply(403, {"message": "only loopback targets"})
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with LOCK:
            STATS["forwarded"] += 1
        upstream = socket.create_connection((target.hostname, target.port), timeout=30)
        path = target.path + (("?" + target.query) if target.query else "")
        lines = [f"{self.command} {path or '/'} HTTP/1.1"]
        for name, value in self.headers.items():
            if name.lower() not in ("proxy-connection", "connection", "keep-alive"):
                lines.append(f"{name}: {value}")
        lines.append("Connection: close")
        upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        response = b""
        while True:
            chunk = upstream.recv(65536)
            if not chunk:
                break
            response += chunk
        upstream.close()
        self.wfile.write(response)
        self.close_connection = True


def pipe(a: socket.socket, b: socket.socket, idle_seconds: float = 60) -> None:
    sockets = [a, b]
    try:
        while True:
            readable, _, _ = select.select(sockets, [], [], idle_seconds)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return
    finally:
        b.close()


def serve_tls(listener: socket.socket) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ARGS.cert, ARGS.key)

    def handle(client: socket.socket):
        try:
            tls = context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            client.close()  # e.g. the client refused our certificate
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", ARGS.upstream_port), timeout=30)
        except OSError:
            tls.close()
            return
        pipe(tls, upstream)
        tls.close()

    while True:
        client, _ = listener.accept()
        threading.Thread(target=handle, args=(client,), daemon=True).start()


def watch_parent(parent_pid, max_lifetime: float) -> None:
    deadline = time.monotonic() + max_lifetime
    while True:
        time.sleep(0.25)
        if os.getppid() != INITIAL_PPID or time.monotonic() > deadline:
            os._exit(0)
        if parent_pid:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["imds", "container", "sso", "proxy", "tls", "front"])
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--max-lifetime-seconds", type=float, default=1800)
    parser.add_argument("--token", default="fake-token")
    parser.add_argument("--role", default="snapcopy-instance-role")
    parser.add_argument("--expires-seconds", type=float, default=3600)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--upstream-port", type=int)
    ARGS = parser.parse_args()

    threading.Thread(target=watch_parent, args=(ARGS.parent_pid, ARGS.max_lifetime_seconds), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if ARGS.mode == "tls":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        print(f"READY {listener.getsockname()[1]}", flush=True)
        serve_tls(listener)
        return
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
