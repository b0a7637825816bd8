#!/usr/bin/env python3
"""A hostile Neptune endpoint: one misbehaviour per path, on raw sockets.

    hostile_server.py --parent-pid PID [--max-lifetime-seconds S]

Binds 127.0.0.1 on a free port, prints "READY <port>" on stdout, and serves until its parent
is gone, SIGTERM, or --max-lifetime-seconds. Python's standard library only.

The first path segment names the scenario; the rest is free (a test's own key), so tests
running in parallel keep separate counters. Point the client's endpoint at
http://127.0.0.1:PORT/SCENARIO/KEY. Every scenario reads the whole request first (so the
client is never cut off while sending) and answers Query-protocol XML for `Action`:

  ok                  a well-behaved endpoint: two snapshots (or the one asked for), tags, copies
  truncated           200, a Content-Length that matches, XML cut in the middle of an element
  unknown-elements    200, the ok answer with unknown elements, attributes, comments and a
                      processing instruction at every level (the answer is still correct)
  huge                200, Content-Length 100 MB, then padding until the client hangs up
  huge-chunked        200, chunked, no length, padding until the client hangs up
  json                200, application/json
  text-plain          200, text/plain "OK"
  xml-as-text         200, text/plain, but the body is the correct XML answer
  html-200            200, an HTML page (a captive portal)
  html-502            502, a load balancer's HTML page
  html-503            503, a load balancer's HTML page, Retry-After: 0
  error-200           200 whose body is <ErrorResponse> AccessDenied
  throttle-200        200 whose body is <ErrorResponse> Throttling, the first 2 times per key
  same-marker         every describe page has the marker "page-1"
  marker-cycle        pages alternate between the markers "a" and "b"
  endless-markers     every describe page has a new marker
  stall-headers       half the status line and headers, then silence
  stall-body          headers (Content-Length) and half the body, then silence
  trickle             headers, then one byte of the body every 100 ms, forever
  close-at-once       reads the request and closes the connection
  close-headers       half the headers, then closes
  close-body          headers (Content-Length) and half the body, then closes
  close-chunked       chunked, cut in the middle of a chunk, then closes
  wrong-snapshot      a describe by DBClusterSnapshotIdentifier=X answers snapshot
                      "someone-elses-snapshot"; a copy to X answers a copy named otherwise
  deep-nesting        200, the answer with 100,000 nested unknown elements inside it
  entity-bomb         200, a DTD with nested entities ("billion laughs")
  echo                400, an HTML page quoting the request's security token, Authorization
                      header and body (a misconfigured proxy's debug page)

GET /_hostile/stats?key=PATH gives JSON for requests to that path: requests, bytesSent,
clientHungUp (how many answers the client cut short) and the markers it sent. Secrets
(the Authorization header) are never recorded.
"""

import argparse
import json
import os
import select
import signal
import socket
import threading
import time
import urllib.parse

INITIAL_PPID = os.getppid()
LOCK = threading.Lock()
STATS = {}
ACCOUNT = "123456789012"
NS = "http://rds.amazonaws.com/doc/2014-10-31/"


class HungUp(Exception):
    """The client closed the connection while we were answering."""


def stats_for(key):
    with LOCK:
        return STATS.setdefault(key, {"requests": 0, "bytesSent": 0, "clientHungUp": 0, "markers": []})


def record(key, field, amount=1):
    stats_for(key)
    with LOCK:
        STATS[key][field] += amount


# -- the Query answers ------------------------------------------------------------------------

def snapshot_xml(identifier, extra=""):
    arn = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:{identifier}"
    return (f"<DBClusterSnapshot>{extra}"
            f"<DBClusterSnapshotIdentifier>{identifier}</DBClusterSnapshotIdentifier>"
            f"<DBClusterSnapshotArn>{arn}</DBClusterSnapshotArn>"
            f"<DBClusterIdentifier>prod-graph</DBClusterIdentifier>"
            f"<Status>available</Status><PercentProgress>100</PercentProgress><Engine>neptune</Engine>"
            f"<SnapshotType>manual</SnapshotType><StorageEncrypted>false</StorageEncrypted>"
            f"<SnapshotCreateTime>2024-05-01T03:00:00.000Z</SnapshotCreateTime>"
            f"</DBClusterSnapshot>")


def wrap(action, result, extra=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="{NS}">'
            f"<{action}Result>{result}</{action}Result>{extra}"
            f"<ResponseMetadata><RequestId>hostile-request-1</RequestId></ResponseMetadata>"
            f"</{action}Response>\n")


def describe_page(identifiers, marker=None, extra=""):
    snapshots = "".join(snapshot_xml(i, extra) for i in identifiers)
    marker_xml = f"<Marker>{marker}</Marker>" if marker is not None else ""
    return wrap("DescribeDBClusterSnapshots", f"<DBClusterSnapshots>{snapshots}</DBClusterSnapshots>{marker_xml}")


def ok_answer(params, extra=""):
    """The answer of a well-behaved endpoint to the request's action."""
    action = params.get("Action", "")
    if action == "DescribeDBClusterSnapshots":
        wanted = params.get("DBClusterSnapshotIdentifier")
        if wanted and wanted.startswith("arn:"):
            wanted = wanted.split(":cluster-snapshot:", 1)[-1]
        return describe_page([wanted] if wanted else ["snap-1", "snap-2"], extra=extra)
    if action == "ListTagsForResource":
        return wrap(action, "<TagList><Tag><Key>team</Key><Value>graph</Value></Tag></TagList>")
    if action == "CopyDBClusterSnapshot":
        return wrap(action, snapshot_xml(params.get("TargetDBClusterSnapshotIdentifier", "copy")))
    return wrap(action, "")


def error_body(code, message, fault="Sender"):
    return (f'<ErrorResponse xmlns="{NS}"><Error><Type>{fault}</Type><Code>{code}</Code>'
            f"<Message>{message}</Message></Error><RequestId>hostile-error-1</RequestId></ErrorResponse>\n")


LB_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
          "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
LB_503 = ("<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
          "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n")
PORTAL = "<!DOCTYPE html><html><head><title>Sign in to the guest Wi-Fi</title></head><body><form></form></body></html>"
BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lollollollollollollollollollol">\n'
        + "".join(f' <!ENTITY lol{n} "' + (f"&lol{n - 1};" if n > 1 else "&lol;") * 10 + '">\n' for n in range(1, 10))
        + ']>\n<DescribeDBClusterSnapshotsResponse><DescribeDBClusterSnapshotsResult><Marker>&lol9;</Marker>'
        "</DescribeDBClusterSnapshotsResult></DescribeDBClusterSnapshotsResponse>\n")


# -- the connection ---------------------------------------------------------------------------

class Connection:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def read_request(self):
        """(method, path, headers, body), or None when the client closed the connection."""
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buffer += data
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        while len(self.buffer) < length:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buffer += data
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return method, target, headers, body

    def send(self, key, data):
        try:
            self.sock.sendall(data)
        except OSError:
            raise HungUp()
        record(key, "bytesSent", len(data))

    def wait_for_hangup(self, seconds=120.0):
        """Stays silent until the client closes the connection (or `seconds` pass)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.sock], [], [], 0.05)
            if readable:
                try:
                    if not self.sock.recv(65536):
                        raise HungUp()
                except OSError:
                    raise HungUp()


def head(status, reason, content_type, length=None, extra=()):
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}", "x-amzn-RequestId: hostile-request-1"]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(conn, key, status, reason, content_type, text, extra=()):
    body = text.encode()
    conn.send(key, head(status, reason, content_type, len(body), extra) + body)


def serve_scenario(conn, scenario, key, params):
    """Answers one request; returns False when the connection must be closed afterwards."""
    action = params.get("Action", "")
    xml = "text/xml"
    if scenario == "ok":
        answer(conn, key, 200, "OK", xml, ok_answer(params))
    elif scenario == "truncated":
        text = ok_answer(params)
        answer(conn, key, 200, "OK", xml, text[: len(text) // 2])
    elif scenario == "unknown-elements":
        extra = '<FutureMember level="snapshot"><Nested>1</Nested></FutureMember><!-- a comment --><?pi data?>'
        text = ok_answer(params, extra=extra)
        text = text.replace("<DBClusterSnapshots>", '<NewTopLevel a="1"/><DBClusterSnapshots><UnknownListItem/>', 1)
        text = text.replace("<ResponseMetadata>", "<ExtraMetadata><Marker>not-a-marker</Marker></ExtraMetadata><ResponseMetadata>", 1)
        answer(conn, key, 200, "OK", "text/xml;charset=UTF-8", text)
    elif scenario in ("huge", "huge-chunked"):
        chunked = scenario == "huge-chunked"
        conn.send(key, head(200, "OK", xml, None if chunked else 100 * 1024 * 1024))
        padding = b"<Padding>" + b"x" * 65000 + b"</Padding>"
        prefix = f'<DescribeDBClusterSnapshotsResponse xmlns="{NS}">'.encode()
        first = True
        while True:
            piece = (prefix if first else b"") + padding
            first = False
            conn.send(key, (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece)
    elif scenario == "json":
        answer(conn, key, 200, "OK", "application/json", json.dumps({f"{action}Response": {"DBClusterSnapshots": []}}))
    elif scenario == "text-plain":
        answer(conn, key, 200, "OK", "text/plain", "OK\n")
    elif scenario == "xml-as-text":
        answer(conn, key, 200, "OK", "text/plain", ok_answer(params))
    elif scenario == "html-200":
        answer(conn, key, 200, "OK", "text/html", PORTAL)
    elif scenario == "html-502":
        answer(conn, key, 502, "Bad Gateway", "text/html", LB_502)
    elif scenario == "html-503":
        answer(conn, key, 503, "Service Temporarily Unavailable", "text/html", LB_503, extra=("Retry-After: 0",))
    elif scenario == "error-200":
        answer(conn, key, 200, "OK", xml, error_body("AccessDenied", f"User is not authorized to perform: rds:{action}"))
    elif scenario == "throttle-200":
        if stats_for(key)["requests"] <= 2:
            answer(conn, key, 200, "OK", xml, error_body("Throttling", "Rate exceeded"))
        else:
            answer(conn, key, 200, "OK", xml, ok_answer(params))
    elif scenario in ("same-marker", "marker-cycle", "endless-markers"):
        if action != "DescribeDBClusterSnapshots":
            answer(conn, key, 200, "OK", xml, ok_answer(params))
            return True
        with LOCK:
            STATS[key]["markers"].append(params.get("Marker"))
            n = STATS[key]["requests"]
        marker = {"same-marker": "page-1", "marker-cycle": "ab"[(n - 1) % 2], "endless-markers": f"page-{n}"}[scenario]
        answer(conn, key, 200, "OK", xml, describe_page([f"snap-{n}"], marker=marker))
    elif scenario == "stall-headers":
        conn.send(key, b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n")
        conn.wait_for_hangup()
        return False
    elif scenario in ("stall-body", "close-body"):
        body = ok_answer(params).encode()
        conn.send(key, head(200, "OK", xml, len(body)) + body[: len(body) // 2])
        if scenario == "stall-body":
            conn.wait_for_hangup()
        return False
    elif scenario == "trickle":
        body = ok_answer(params).encode()
        conn.send(key, head(200, "OK", xml, len(body) * 1000))
        for i in range(100_000):
            conn.send(key, body[i % len(body): i % len(body) + 1])
            time.sleep(0.1)
        return False
    elif scenario == "close-at-once":
        return False
    elif scenario == "close-headers":
        conn.send(key, b"HTTP/1.1 200 OK\r\nContent-Type: te")
        return False
    elif scenario == "close-chunked":
        body = ok_answer(params).encode()
        conn.send(key, head(200, "OK", xml) + f"{len(body):x}\r\n".encode() + body[: len(body) // 2])
        return False
    elif scenario == "wrong-snapshot":
        if action == "DescribeDBClusterSnapshots" and params.get("DBClusterSnapshotIdentifier"):
            answer(conn, key, 200, "OK", xml, describe_page(["someone-elses-snapshot"]))
        elif action == "CopyDBClusterSnapshot":
            answer(conn, key, 200, "OK", xml, wrap(action, snapshot_xml("someone-elses-copy")))
        else:
            answer(conn, key, 200, "OK", xml, ok_answer(params))
    elif scenario == "deep-nesting":
        depth = 100_000
        text = ok_answer(params).replace("<ResponseMetadata>", "<Deep>" * depth + "</Deep>" * depth + "<ResponseMetadata>", 1)
        answer(conn, key, 200, "OK", xml, text)
    elif scenario == "entity-bomb":
        answer(conn, key, 200, "OK", xml, BOMB)
    else:
        answer(conn, key, 404, "Not Found", "text/plain", f"no scenario {scenario!r}\n")
    return True


def echo_page(headers, body):
    authorization = headers.get("authorization", "")
    quoted = [f"Signature={authorization.rpartition('Signature=')[2]}",
              f"x-amz-security-token: {headers.get('x-amz-security-token', '')}",
              f"authorization: {authorization}",
              f"body: {body.decode('utf-8', 'replace')}"]
    return "<html><pre>" + "\n".join(quoted) + "</pre></html>"


def handle(sock):
    conn = Connection(sock)
    try:
        while True:
            request = conn.read_request()
            if request is None:
                return
            method, target, headers, body = request
            parsed = urllib.parse.urlsplit(target)
            if parsed.path == "/_hostile/stats":
                key = dict(urllib.parse.parse_qsl(parsed.query)).get("key", "")
                text = json.dumps(stats_for(key))
                answer(conn, "/_hostile/stats", 200, "OK", "application/json", text)
                continue
            key = parsed.path
            scenario = key.strip("/").split("/")[0]
            params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            stats_for(key)
            record(key, "requests")
            try:
                if scenario == "echo":
                    answer(conn, key, 400, "Bad Request", "text/html", echo_page(headers, body))
                    continue
                keep = serve_scenario(conn, scenario, key, params)
            except HungUp:
                record(key, "clientHungUp")
                return
            if not keep or headers.get("connection", "").lower() == "close":
                return
    except OSError:
        return
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def watch_parent(parent_pid, max_lifetime):
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--max-lifetime-seconds", type=float, default=1800)
    args = parser.parse_args()
    threading.Thread(target=watch_parent, args=(args.parent_pid, args.max_lifetime_seconds), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(f"READY {listener.getsockname()[1]}", flush=True)
    while True:
        client, _ = listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
