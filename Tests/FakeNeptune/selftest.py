#!/usr/bin/env python3
"""Checks every feature of fake_neptune.py with boto3. Run by hand:

    python3 Tests/FakeNeptune/selftest.py      # exits non-zero on the first failure

Starts its own servers on free loopback ports and stops them; bounded to 240 s.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "fake_neptune.py")
A, B = "123456789012", "210987654321"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, SCRIPT, "--port", str(self.port), *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"server died: {self.proc.stderr.read().decode()}")
                time.sleep(0.05)
        raise SystemExit("server did not start in 20 s")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode()

    def control(self, path: str, body=None, method=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method or ("POST" if data is not None else "GET"))
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            return {"status": e.code, **json.loads(e.read())}

    def client(self, service="rds", region="us-east-1", creds=None, config=NO_RETRY):
        creds = creds or {"AccessKeyId": "AKIDFAKENEPTUNE", "SecretAccessKey": "secret"}
        return boto3.client(service, region_name=region, endpoint_url=self.url, config=config,
                            aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds.get("SessionToken"))


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"  ok: {message}")


def error_code(call) -> str | None:
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def ids(response, key="DBClusterSnapshots", field="DBClusterSnapshotIdentifier"):
    return [x[field] for x in response[key]]


def test_seed_and_describe(s: Server):
    print("seed and describe")
    answer = s.control("/_fake/seed", {
        "account": A, "region": "us-east-1",
        "kmsKeys": [{"alias": "alias/seeded"}],
        "clusters": [
            {"id": "prod", "engine": "neptune", "storageEncrypted": True, "kmsKeyId": "alias/seeded"},
            {"id": "mysql1", "engine": "aurora-mysql"},
            {"id": "docs", "engine": "docdb"},
        ],
        "snapshots": [
            {"id": "prod-2026-11-01", "cluster": "prod", "tags": {"team": "graph"},
             "createdAt": "2026-11-01T03:00:00Z", "shareWith": [B]},
            {"id": "rds:prod-2026-11-02-03-00", "cluster": "prod", "type": "automated"},
            {"id": "prod-pending", "cluster": "prod", "status": "creating"},
            {"id": "mysql1-snap", "cluster": "mysql1"},
        ],
    })
    check(answer["kmsKeys"]["alias/seeded"].startswith(f"arn:aws:kms:us-east-1:{A}:key/"), "seed makes KMS keys")
    rds = s.client()
    snaps = {x["DBClusterSnapshotIdentifier"]: x for x in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]}
    check(sorted(snaps) == sorted(["prod-2026-11-01", "rds:prod-2026-11-02-03-00", "prod-pending", "mysql1-snap"]),
          "seeded snapshots only (moto's automatic automated snapshot removed)")
    first = snaps["prod-2026-11-01"]
    check(rds.list_tags_for_resource(ResourceName=first["DBClusterSnapshotArn"])["TagList"] == [{"Key": "team", "Value": "graph"}], "tags")
    check(first["SnapshotCreateTime"].isoformat().startswith("2026-11-01T03:00:00"), "createdAt")
    check(first["KmsKeyId"] == answer["kmsKeys"]["alias/seeded"] and first["StorageEncrypted"], "encryption")
    check(snaps["prod-pending"]["Status"] == "creating" and snaps["prod-pending"]["PercentProgress"] == 0, "status override")
    check(snaps["rds:prod-2026-11-02-03-00"]["SnapshotType"] == "automated", "automated type")
    engines = {c["DBClusterIdentifier"]: c["Engine"] for c in rds.describe_db_clusters()["DBClusters"]}
    check(engines == {"prod": "neptune", "mysql1": "aurora-mysql", "docs": "docdb"}, f"engines {engines}")
    check({c["Status"] for c in rds.describe_db_clusters()["DBClusters"]} == {"available"}, "seeded clusters are available")
    neptune_only = rds.describe_db_cluster_snapshots(Filters=[{"Name": "engine", "Values": ["neptune"]}])
    check("mysql1-snap" not in ids(neptune_only), "engine filter excludes aurora")
    attrs = rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier="prod-2026-11-01")
    check(attrs["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"][0]["AttributeValues"] == [B], "shareWith")
    again = s.control("/_fake/seed", {"snapshots": [{"id": "prod-pending", "status": "available"}]})
    check("prod-pending" in again["snapshots"], "seed updates an existing snapshot")
    check(rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="prod-pending")["DBClusterSnapshots"][0]["Status"] == "available", "status updated")
    bad = s.control("/_fake/seed", {"clusters": [{"id": "x", "engine": "oracle"}]})
    check(bad["status"] == 400 and "oracle" in bad["error"], "unknown engine is a 400")
    check(s.control("/_fake/seed", {"snapshotz": []})["status"] == 400, "unknown seed keys are a 400")


def test_pagination(s: Server):
    print("pagination")
    s.control("/_fake/seed", {"clusters": [{"id": "many"}, {"id": "other1"}, {"id": "other2"}, {"id": "other3"}],
                              "snapshots": [{"id": f"many-{i:02d}", "cluster": "many"} for i in range(7)]})
    rds = s.client()
    check(len(rds.describe_db_cluster_snapshots(DBClusterIdentifier="many")["DBClusterSnapshots"]) == 7, "no pageSize: one page")
    s.control("/_fake/config", {"pageSize": 3})
    seen, marker, pages = [], None, 0
    while pages < 10:
        kwargs = {"DBClusterIdentifier": "many", "MaxRecords": 20}
        if marker:
            kwargs["Marker"] = marker
        page = rds.describe_db_cluster_snapshots(**kwargs)
        pages += 1
        check(len(page["DBClusterSnapshots"]) <= 3, f"page {pages} has at most 3")
        seen += ids(page)
        marker = page.get("Marker")
        if not marker:
            break
    check(pages == 3 and seen == [f"many-{i:02d}" for i in range(7)], "three pages, all snapshots in order")
    paginator = rds.get_paginator("describe_db_cluster_snapshots")
    check(sum(len(p["DBClusterSnapshots"]) for p in paginator.paginate(DBClusterIdentifier="many")) == 7, "boto3 paginator")
    check(error_code(lambda: rds.describe_db_cluster_snapshots(MaxRecords=5)) == "InvalidParameterValue", "MaxRecords < 20 refused like AWS")
    check(error_code(lambda: rds.describe_db_cluster_snapshots(Marker="junk")) == "InvalidParameterValue", "bad Marker refused")
    clusters = rds.describe_db_clusters(MaxRecords=20)
    check(len(clusters["DBClusters"]) <= 3 and "Marker" in clusters, "DescribeDBClusters is paged too")
    s.control("/_fake/config", {})


def test_copying_clock(s: Server):
    print("copying clock, failCopies, maxInflightCopies")
    s.control("/_fake/seed", {"clusters": [{"id": "src"}],
                              "snapshots": [{"id": f"src-{i}", "cluster": "src"} for i in range(4)]})
    s.control("/_fake/config", {"copyingSeconds": 2, "failCopies": ["src-1-copy"], "maxInflightCopies": 2})
    rds = s.client()
    out = rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="src-0", TargetDBClusterSnapshotIdentifier="src-0-copy")
    check(out["DBClusterSnapshot"]["Status"] == "copying" and out["DBClusterSnapshot"]["PercentProgress"] == 0, "copy answers copying/0")
    check(out["DBClusterSnapshot"]["SourceDBClusterSnapshotArn"].endswith(":cluster-snapshot:src-0"), "SourceDBClusterSnapshotArn")
    rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="src-1", TargetDBClusterSnapshotIdentifier="src-1-copy")
    code = error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="src-2", TargetDBClusterSnapshotIdentifier="src-2-copy"))
    check(code == "SnapshotQuotaExceeded", "third concurrent copy: SnapshotQuotaExceeded")
    check(error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="src-0-copy", TargetDBClusterSnapshotIdentifier="x")) == "InvalidDBClusterSnapshotStateFault", "copying source cannot be copied")
    time.sleep(1.0)
    mid = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="src-0-copy")["DBClusterSnapshots"][0]
    check(mid["Status"] == "copying" and 20 <= mid["PercentProgress"] <= 99, f"progress rises ({mid['PercentProgress']})")
    time.sleep(1.2)
    done = {x["DBClusterSnapshotIdentifier"]: x for x in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]}
    check(done["src-0-copy"]["Status"] == "available" and done["src-0-copy"]["PercentProgress"] == 100, "available/100 after copyingSeconds")
    check(done["src-1-copy"]["Status"] == "failed", "failCopies ends failed")
    rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="src-2", TargetDBClusterSnapshotIdentifier="src-2-copy")
    check(error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="src-2", TargetDBClusterSnapshotIdentifier="src-2-copy")) == "DBClusterSnapshotAlreadyExistsFault", "duplicate target")
    stats = s.control("/_fake/stats")
    check(stats["maxConcurrentCopies"][A]["us-east-1"] == 2, "max concurrent copies observed = 2")
    check(stats["copyingNow"][A]["us-east-1"] == 1, "copyingNow")
    check(stats["copyRequestsByTarget"]["src-2-copy"] == 3 and stats["copiesCreatedByTarget"]["src-2-copy"] == 1, "requests vs copies per target")
    check(stats["inflightQuotaRejections"] == 1, "quota rejections counted")
    s.control("/_fake/config", {})


def raw_call(s: Server, action="DescribeDBClusters"):
    connection = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    connection.request("POST", "/", body=f"Action={action}&Version=2014-10-31",
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/rds/aws4_request, SignedHeaders=host, Signature=0"})
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type"), response.read().decode()


def test_faults(s: Server):
    print("faults")
    rds = s.client()
    s.control("/_fake/config", {"faults": [{"action": "DescribeDBClusters", "kind": "throttle", "times": 2}]})
    check(error_code(rds.describe_db_clusters) == "Throttling", "throttle 1")
    check(error_code(rds.describe_db_clusters) == "Throttling", "throttle 2")
    check(error_code(rds.describe_db_clusters) is None, "times exhausted")
    check(error_code(rds.describe_db_cluster_snapshots) is None, "other actions untouched")
    retrying = s.client(config=Config(retries={"max_attempts": 5, "mode": "standard"}))
    s.control("/_fake/config", {"faults": [{"action": "*", "kind": "throttle", "times": 2}]})
    check(error_code(retrying.describe_db_clusters) is None, "boto3 retries through throttling")
    for kind, status, code in (("500", 500, "InternalFailure"), ("503", 503, "ServiceUnavailable")):
        s.control("/_fake/config", {"faults": [{"kind": kind, "times": 1}]})
        got = raw_call(s)
        check(got[0] == status and f"<Code>{code}</Code>" in got[2] and "ErrorResponse" in got[2], f"{kind}: {status} {code}")
    s.control("/_fake/config", {"faults": [{"kind": "html500", "times": 1}]})
    got = raw_call(s)
    check(got[0] == 500 and got[1] == "text/html" and "<html>" in got[2], "html500")
    s.control("/_fake/config", {"faults": [{"kind": "reset", "times": 1}]})
    try:
        raw_call(s)
        check(False, "reset should fail the call")
    except (ConnectionResetError, http.client.RemoteDisconnected) as e:
        check(True, f"reset: {type(e).__name__}")
    check(error_code(rds.describe_db_clusters) is None, "server fine after reset")
    s.control("/_fake/config", {"faults": [{"kind": "reset", "times": 1}]})
    try:
        rds.describe_db_clusters()
        check(False, "boto3 should see the reset")
    except (ConnectionClosedError, EndpointConnectionError) as e:
        check(True, f"boto3 sees reset as {type(e).__name__}")
    s.control("/_fake/config", {"faults": [{"action": "DescribeDBClusters", "kind": "slow", "delayMs": 700, "times": 1}]})
    started = time.monotonic()
    rds.describe_db_clusters()
    check(time.monotonic() - started >= 0.7, "slow delays the answer")
    s.control("/_fake/config", {"faults": [{"kind": "throttle", "everyNth": 3}]})
    codes = [error_code(rds.describe_db_clusters) for _ in range(6)]
    check(codes == [None, None, "Throttling", None, None, "Throttling"], f"everyNth 3: {codes}")
    s.control("/_fake/seed", {"clusters": [{"id": "lost"}], "snapshots": [{"id": "lost-1", "cluster": "lost"}]})
    s.control("/_fake/stats/reset", {})
    s.control("/_fake/config", {"faults": [{"action": "CopyDBClusterSnapshot", "kind": "500", "times": 1, "phase": "after"}]})
    check(error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="lost-1", TargetDBClusterSnapshotIdentifier="lost-1-copy")) == "InternalFailure", "phase after: the answer is lost")
    check(error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="lost-1", TargetDBClusterSnapshotIdentifier="lost-1-copy")) == "DBClusterSnapshotAlreadyExistsFault", "phase after: but the copy was made")
    s.control("/_fake/config", {"faults": [{"action": "CopyDBClusterSnapshot", "kind": "reset", "times": 1, "phase": "after"}]})
    try:
        rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="lost-1", TargetDBClusterSnapshotIdentifier="lost-1-reset")
        check(False, "reset after should fail the call")
    except ConnectionClosedError:
        check(True, "phase after + reset: connection reset after the copy was made")
    stats = s.control("/_fake/stats")
    check(stats["copiesCreatedByTarget"].get("lost-1-reset") == 1, "the reset copy exists")
    check(stats["faultsInjected"] == {"500": 1, "reset": 1} and stats["faultsInjectedByAction"]["CopyDBClusterSnapshot"] == {"500": 1, "reset": 1}, "faults counted")
    check(stats["callsByAction"]["CopyDBClusterSnapshot"] == 3 and stats["callsByRegion"]["us-east-1"] == 3, "calls by action and region")
    check(s.control("/_fake/config", {"faults": [{"kind": "boom"}]})["status"] == 400, "bad rule is a 400")
    # Random faults: a seeded share of the calls, the same share for the same seed.
    def storm(seed):
        s.control("/_fake/config", {"randomSeed": seed, "faults": [{"action": "DescribeDBClusters", "kind": "throttle", "probability": 0.3}]})
        return [error_code(rds.describe_db_clusters) for _ in range(60)]
    first, again = storm(7), storm(7)
    throttled = first.count("Throttling")
    check(first == again, "the same seed throttles the same calls")
    check(8 <= throttled <= 30, f"probability 0.3 throttled {throttled} of 60")
    check(s.control("/_fake/config", {"faults": [{"kind": "throttle", "probability": 1.5}]})["status"] == 400, "probability above 1 is a 400")
    s.control("/_fake/config", {"faults": [{"action": "DescribeDBClusters", "kind": "slow", "delayMs": 100, "maxDelayMs": 300}]})
    delays = []
    for _ in range(5):
        started = time.monotonic()
        rds.describe_db_clusters()
        delays.append(time.monotonic() - started)
    check(min(delays) >= 0.1 and max(delays) < 1.5, f"slow with maxDelayMs: {delays}")
    check(s.control("/_fake/config", {"faults": [{"kind": "slow", "delayMs": 300, "maxDelayMs": 100}]})["status"] == 400, "maxDelayMs below delayMs is a 400")
    s.control("/_fake/config", {})


def test_latency_and_concurrency(s: Server):
    print("latency and concurrency")
    s.control("/_fake/config", {"latencyMs": 400})
    rds = s.client()
    started = time.monotonic()
    rds.describe_db_clusters()
    check(time.monotonic() - started >= 0.4, "latencyMs applies")
    errors: list = []

    def call():
        try:
            s.client().describe_db_clusters()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    elapsed = time.monotonic() - started
    check(not errors and elapsed < 2.5, f"8 calls of 400 ms in parallel took {elapsed:.2f} s")
    s.control("/_fake/config", {})


def test_accounts_regions_kms(s: Server):
    print("accounts, regions, KMS")
    sts = s.client("sts")
    check(sts.get_caller_identity()["Account"] == A, "unknown access key maps to 123456789012")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{B}:role/x", RoleSessionName="selftest")["Credentials"]
    check(s.client("sts", creds=creds).get_caller_identity()["Account"] == B, "assumed-role keys map to the role's account")
    rds_a, rds_b = s.client(), s.client(creds=creds)
    s.control("/_fake/seed", {"account": B, "clusters": [{"id": "b-only"}]})
    check(ids(rds_b.describe_db_clusters(), "DBClusters", "DBClusterIdentifier") == ["b-only"], "B sees its own backend")
    check("b-only" not in ids(rds_a.describe_db_clusters(), "DBClusters", "DBClusterIdentifier"), "A does not see B's")
    s.control("/_fake/seed", {"account": A, "clusters": [{"id": "shared"}], "snapshots": [
        {"id": "shared-1", "cluster": "shared", "shareWith": [B]}, {"id": "private-1", "cluster": "shared"}]})
    arn = f"arn:aws:rds:us-east-1:{A}:cluster-snapshot:shared-1"
    check(ids(rds_b.describe_db_cluster_snapshots(SnapshotType="shared")) == ["shared-1"], "SnapshotType=shared")
    check("shared-1" in ids(rds_b.describe_db_cluster_snapshots(IncludeShared=True)), "IncludeShared")
    check("shared-1" not in ids(rds_b.describe_db_cluster_snapshots()), "not without IncludeShared")
    out = rds_b.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier=arn, TargetDBClusterSnapshotIdentifier="from-a")
    check(out["DBClusterSnapshot"]["DBClusterSnapshotArn"] == f"arn:aws:rds:us-east-1:{B}:cluster-snapshot:from-a", "cross-account copy of a shared snapshot")
    private = arn.replace("shared-1", "private-1")
    check(error_code(lambda: rds_b.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier=private, TargetDBClusterSnapshotIdentifier="nope")) == "DBClusterSnapshotNotFoundFault", "unshared snapshot of another account: not found")
    s.control("/_fake/seed", {"snapshots": [{"id": "rds:shared-2026-11-03-03-00", "cluster": "shared", "type": "automated"}]})
    west = s.client(region="us-west-2")
    auto_arn = f"arn:aws:rds:us-east-1:{A}:cluster-snapshot:rds:shared-2026-11-03-03-00"
    out = west.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier=auto_arn, TargetDBClusterSnapshotIdentifier="auto-west", PreSignedUrl="https://ignored.example")
    check(out["DBClusterSnapshot"]["DBClusterSnapshotArn"].startswith("arn:aws:rds:us-west-2:"), "cross-region copy by ARN (automated id with colon); PreSignedUrl ignored")
    keys = s.control("/_fake/seed", {"region": "us-west-2", "kmsKeys": [{"alias": "alias/west"}]})["kmsKeys"]
    for key_id in ("alias/west", keys["alias/west"], "alias/aws/rds"):
        out = west.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier=arn, TargetDBClusterSnapshotIdentifier=f"k{abs(hash(key_id)) % 10**6}", KmsKeyId=key_id)
        check(out["DBClusterSnapshot"]["KmsKeyId"].startswith(f"arn:aws:kms:us-west-2:{A}:key/"), f"KmsKeyId {key_id} accepted")
    east_key = s.control("/_fake/seed", {"kmsKeys": [{"alias": "alias/east"}]})["kmsKeys"]["alias/east"]
    for key_id in (east_key, f"arn:aws:kms:us-west-2:{A}:key/00000000-0000-0000-0000-000000000000"):
        check(error_code(lambda: west.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier=arn, TargetDBClusterSnapshotIdentifier="kbad", KmsKeyId=key_id)) == "KMSKeyNotAccessibleFault", f"KmsKeyId refused: {key_id[:40]}...")


def test_signature_verification(s: Server):
    print("signature verification")
    iam = s.client("iam")
    iam.create_user(UserName="ci")
    iam.put_user_policy(UserName="ci", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["rds:*", "sts:*"], "Resource": "*"}]}))
    key = iam.create_access_key(UserName="ci")["AccessKey"]
    s.control("/_fake/seed", {"account": B, "roles": [{"name": "target"}]})
    # The body must not be declared as a form (urllib's default), or Flask eats it.
    request = urllib.request.Request(s.url + "/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request, timeout=10).read()
    good = s.client(creds=key)
    check(error_code(good.describe_db_clusters) is None, "right secret accepted")
    wrong = s.client(creds=dict(key, SecretAccessKey="x" * 40))
    check(error_code(wrong.describe_db_clusters) == "SignatureDoesNotMatch", "wrong secret: SignatureDoesNotMatch")
    check(error_code(s.client().describe_db_clusters) == "InvalidClientTokenId", "unknown key: InvalidClientTokenId")
    creds = s.client("sts", creds=key).assume_role(RoleArn=f"arn:aws:iam::{B}:role/target", RoleSessionName="ci")["Credentials"]
    check(error_code(s.client(creds=creds).describe_db_clusters) is None, "assumed role (seeded with a policy) works with auth on")
    check(s.control("/_fake/auth")["enabled"] is True, "auth reported on")
    s.control("/_fake/reset", {})
    check(s.control("/_fake/auth")["enabled"] is False and error_code(s.client().describe_db_clusters) is None, "reset turns auth off")
    made = s.control("/_fake/credentials", {"account": B})
    s.control("/_fake/auth", {"enabled": True})
    as_b = {"AccessKeyId": made["accessKeyId"], "SecretAccessKey": made["secretAccessKey"]}
    check(s.client("sts", creds=as_b).get_caller_identity()["Account"] == B, "/_fake/credentials key maps to its account")
    check(error_code(s.client(creds=dict(as_b, SecretAccessKey="y" * 40)).describe_db_clusters) == "SignatureDoesNotMatch", "/_fake/auth enforces signatures")
    s.control("/_fake/reset", {})


def test_no_tag_lists(s: Server):
    print("no TagList in snapshot answers (Neptune's model)")
    s.control("/_fake/seed", {"account": A, "region": "us-east-1", "clusters": [{"id": "prod", "engine": "neptune"}],
                              "snapshots": [{"id": "tagged", "cluster": "prod", "tags": {"team": "graph"}}]})
    rds = s.client()
    described = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="tagged")["DBClusterSnapshots"][0]
    check("TagList" not in described, "describe: no TagList")
    copied = rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="tagged", TargetDBClusterSnapshotIdentifier="tagged-copy",
                                          CopyTags=True)["DBClusterSnapshot"]
    check("TagList" not in copied, "copy: no TagList")
    arn = described["DBClusterSnapshotArn"]
    check(rds.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "team", "Value": "graph"}],
          "ListTagsForResource still answers with the tags")


def test_resource_authorization(s: Server):
    print("resource-level authorization")
    s.control("/_fake/seed", {"account": A, "region": "us-east-1", "clusters": [{"id": "prod", "engine": "neptune"}],
                              "snapshots": [{"id": "prod-a", "cluster": "prod"}, {"id": "other-a", "cluster": "prod"}]})
    scoped = f"arn:aws:rds:*:{A}:cluster-snapshot:prod-*"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "rds:DescribeDBClusterSnapshots", "Resource": "*"},
        {"Effect": "Allow", "Action": ["rds:ListTagsForResource", "rds:CopyDBClusterSnapshot"], "Resource": scoped}]})
    made = s.control("/_fake/credentials", {"account": A, "policy": policy})
    s.control("/_fake/auth", {"enabled": True})
    rds = s.client(creds={"AccessKeyId": made["accessKeyId"], "SecretAccessKey": made["secretAccessKey"]})
    arn = f"arn:aws:rds:us-east-1:{A}:cluster-snapshot:"
    check(error_code(lambda: rds.describe_db_cluster_snapshots()) is None, "an action allowed on * is allowed")
    check(error_code(lambda: rds.list_tags_for_resource(ResourceName=arn + "prod-a")) is None, "tags of a snapshot the policy names")
    check(error_code(lambda: rds.list_tags_for_resource(ResourceName=arn + "other-a")) == "AccessDenied", "tags of another snapshot: AccessDenied")
    check(error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="prod-a",
                                                          TargetDBClusterSnapshotIdentifier="prod-b")) is None, "a copy within the scope")
    check(error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="prod-a",
                                                          TargetDBClusterSnapshotIdentifier="elsewhere")) == "AccessDenied",
          "a copy to a target outside the scope: AccessDenied")
    check(error_code(lambda: rds.copy_db_cluster_snapshot(SourceDBClusterSnapshotIdentifier="other-a",
                                                          TargetDBClusterSnapshotIdentifier="prod-c")) == "AccessDenied",
          "a copy from a source outside the scope: AccessDenied")
    check(error_code(lambda: rds.add_tags_to_resource(ResourceName=arn + "prod-a", Tags=[{"Key": "k", "Value": "v"}])) == "AccessDenied",
          "an action the policy lacks: AccessDenied")
    s.control("/_fake/reset", {})


def test_reset(s: Server):
    print("reset")
    s.control("/_fake/seed", {"clusters": [{"id": "gone"}]})
    s.control("/_fake/config", {"pageSize": 1, "latencyMs": 5})
    s.control("/_fake/reset", {})
    check(s.client().describe_db_clusters()["DBClusters"] == [], "moto state cleared")
    config = s.control("/_fake/config")
    check(config["pageSize"] is None and config["latencyMs"] == 0, "config back to defaults")
    check(s.control("/_fake/stats")["callsByAction"] == {"DescribeDBClusters": 1}, "stats cleared")


def test_orphan_exit():
    print("orphan exit")
    port = free_port()
    launcher = ("import subprocess,sys,time;"
                f"p=subprocess.Popen([sys.executable,{SCRIPT!r},'--port','{port}'],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
                "print(p.pid,flush=True);time.sleep(30)")
    parent = subprocess.Popen([sys.executable, "-c", launcher], stdout=subprocess.PIPE)
    child = int(parent.stdout.readline())
    time.sleep(1.5)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            check(True, "server exits when its parent dies")
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    check(False, "server outlived its parent")


def main() -> int:
    signal.alarm(240)
    s = Server()
    try:
        for test in (test_seed_and_describe, test_pagination, test_copying_clock, test_faults,
                     test_latency_and_concurrency, test_accounts_regions_kms,
                     test_signature_verification, test_resource_authorization, test_no_tag_lists, test_reset):
            s.control("/_fake/reset", {})
            test(s)
        test_orphan_exit()
        latency = Server("--latency-ms", "300")
        try:
            started = time.monotonic()
            latency.client().describe_db_clusters()
            check(time.monotonic() - started >= 0.3, "--latency-ms sets the start-up latency")
        finally:
            latency.stop()
    except Exception as e:  # noqa: BLE001 - report, stop the server, fail
        print(f"FAILED: {type(e).__name__}: {e}")
        print(s.stop()[-4000:], file=sys.stderr)
        return 1
    stderr = s.stop()
    if stderr.strip():
        print(f"server stderr (should be empty):\n{stderr[-4000:]}")
        return 1
    print("all fake_neptune checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
