#!/usr/bin/env python3
"""fake_neptune: moto's whole server app behind a fault-injecting WSGI middleware.

    python3 Tests/FakeNeptune/fake_neptune.py --host 127.0.0.1 --port PORT
        [--latency-ms N] [--parent-pid PID] [--max-lifetime-seconds S]

The app is built exactly as `moto_server` builds it
(`DomainDispatcherApplication(create_backend_app)`: every service, routed by the
SigV4 credential scope) and served by werkzeug's threaded server, one thread per
request. Ready when `GET /moto-api/` answers. Prints nothing on stdout; errors go to
stderr. Exits 3 if the port is taken, and by itself when its parent dies (the
parent pid changes or --parent-pid is gone) or after --max-lifetime-seconds.
selftest.py exercises every feature with boto3.

Control endpoints, unsigned, JSON in and out (400 {"error": ...} on a bad request):
  GET  /_fake/config      the config in force.
  POST /_fake/config      replaces it; keys left out (or null) take their defaults:
       {"latencyMs": N (default --latency-ms), "pageSize": N|null,
        "copyingSeconds": S, "maxInflightCopies": N|null, "failCopies": [ids],
        "faults": [{"action": "CopyDBClusterSnapshot"|"*", "kind": "throttle"|"500"|
                    "html500"|"503"|"reset"|"slow", "times": N|null (null: forever),
                    "everyNth": K|null, "probability": p|null (fires on a
                    random share p of the calls it matches), "delayMs": ms (slow;
                    default 1000), "maxDelayMs": ms|null (slow: a random delay from
                    delayMs to maxDelayMs), "region": r|null, "phase": "before"|"after"}],
        "randomSeed": N (default 0: the random faults repeat run after run)}
       Every matching rule counts the call; a rule fires when its count is due and it
       has times left; at most one non-slow rule fires per call and phase. "before":
       the call never reaches moto. "after": moto handles it (a copy is made) and the
       answer is then replaced (a lost response). Paging applies to
       DescribeDBClusterSnapshots and DescribeDBClusters: pages of
       min(pageSize, MaxRecords); MaxRecords outside 20..100 is refused like AWS.
  GET  /_fake/stats       callsByAction, callsByRegion, callsByRegionAndAction,
       faultsInjected (by kind), faultsInjectedByAction, maxConcurrentCopies and
       copyingNow ({account: {region: n}}), copyRequestsByTarget (every request),
       copiesCreatedByTarget (copies moto made), inflightQuotaRejections, accessKeys
       ({access key id: {calls, firstUse, lastUse}}, Unix seconds of the calls signed
       with it: shows when credentials were refreshed). Target ids are lowercased, as
       RDS stores them.
  POST /_fake/stats/reset zeroes the counters.
  POST /_fake/seed        {"account", "region", "kmsKeys": [{"alias"}], "roles": [{"name",
       "policy"?}], "clusters": [{"id", "engine", "engineVersion"?, "storageEncrypted",
       "kmsKeyId"?, "tags": {}, "status"?}], "snapshots": [{"id", "cluster", "type":
       "manual"|"automated", "tags": {}, "status"?, "percentProgress"?, "shareWith": [],
       "createdAt": ISO 8601}]} -> {"clusters"|"snapshots"|"kmsKeys"|"roles": {id: arn}}.
       A snapshot that exists is updated (status, progress, tags, time, sharing).
  POST /_fake/credentials {"account", "userName"?, "policy"?} -> an IAM user and key.
  GET|POST /_fake/auth    {"enabled": bool}: moto's signature and permission checks.
  POST /_fake/reset       moto's reset (as /moto-api/reset), auth off, config, stats.

Facts about moto 5.2.1 that this harness relies on, verified by selftest.py:

* Accounts. moto takes the account of a request from, in order: the env var
  MOTO_ACCOUNT_ID (this program removes it), the header `x-moto-account-id`, then
  the access key: `moto.iam.models.get_account_id_from` looks the key up in every
  account's IAM backend and falls back to 123456789012 for unknown keys. Two ways
  to act as another account: (a) STS AssumeRole of `arn:aws:iam::210987654321:role/x`
  (the role need not exist while auth is off) returns temporary keys created in
  210987654321's IAM backend, so calls signed with them (plus the session token)
  see that account's RDS backend; (b) `POST /_fake/credentials {"account": ...}`
  makes an IAM user and a long-term key in that account.
* CopyDBClusterSnapshot. A source ARN from another region of the same account is
  accepted (moto reads the region from the ARN); `PreSignedUrl`, `SourceRegion`
  are ignored, never validated. Stock moto ignores the account in a source ARN
  (looks in the caller's own account: DBClusterSnapshotNotFoundFault) and cuts an
  automated id `rds:x` at its colon; this program patches both: the ARN's account
  and full id are used, and a snapshot of another account must be shared with the
  caller (attribute `restore` holds the caller's account or `all`), else
  DBClusterSnapshotNotFoundFault. Added like AWS: a source that is not `available`
  gives InvalidDBClusterSnapshotStateFault; a copy records SourceDBClusterSnapshotArn.
  Not modelled: AWS limits on copying shared (or encrypted) snapshots across
  regions, and KMS grants across accounts.
* KmsKeyId on a copy must name a key that exists in moto KMS in the *destination*
  account and region (key id, key ARN, alias name or alias ARN); a key ARN of
  another region, or an unknown key, gives KMSKeyNotAccessibleFault. `alias/aws/rds`
  works without creating anything (moto makes reserved `alias/aws/*` keys on demand). Without
  KmsKeyId the copy keeps the source's key string unvalidated. Seed `kmsKeys` to
  make keys; the seed answer gives their ARNs.
* DescribeDBClusterSnapshots: moto ignores MaxRecords/Marker (this program pages)
  and IncludeShared (patched: adds manual snapshots of other accounts shared with
  the caller in the same region). SnapshotType=shared works in stock moto.
* CreateDBCluster in moto also makes an automated snapshot `rds:<id>-<time>`; the
  seed deletes it so seeded state is exactly what was asked for. moto knows the
  engines neptune, aurora-mysql, aurora-postgresql, mysql, postgres; aurora and
  mysql/postgres need a master user name (the seed supplies `admin`); `docdb` is
  seeded as aurora-mysql and then relabelled docdb.
* Signature verification (off by default). Steps through moto's own API:
  1. IAM CreateUser, PutUserPolicy with
     {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":["rds:*","sts:*","kms:*"],"Resource":"*"}]}
     (rds:* for the RDS calls; sts:AssumeRole to assume roles; GetCallerIdentity
     is always allowed), CreateAccessKey;
  2. `POST /moto-api/reset-auth` with body `0` (count of unauthenticated calls
     still allowed). From then on every call is checked: a wrong secret gives 403
     SignatureDoesNotMatch, an unknown key 403 InvalidClientTokenId, a missing
     permission 403 AccessDenied. Keys from AssumeRole are checked against the
     role's own policies, so the role must then exist in its account with a policy
     (seed `roles` does that; for a missing role moto itself crashes, answered here
     as 500 FakeNeptuneError). An rds:*-only user gets AccessDenied on AssumeRole
     and KMS calls. The body `0` must not be sent as a form (Content-Type
     application/x-www-form-urlencoded, urllib's default), or Flask swallows it.
     Unlike moto, which checks every RDS action against the resource "*", the fake
     checks the ARNs AWS checks (tag calls: ResourceName; CopyDBClusterSnapshot:
     source and target; DeleteDBClusterSnapshot: the snapshot), so a policy scoped
     to cluster-snapshot ARNs works here exactly when it would on AWS. `POST /_fake/auth {"enabled": true}` and
     `/_fake/credentials` do the same in-process; `POST /_fake/reset` turns auth off.
* Faults. `reset` sets SO_LINGER {on, 0} and closes the socket before writing
  anything: the client gets a TCP RST (ECONNRESET, "connection reset by peer"),
  or EOF if it had not sent its whole request yet.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import errno
import io
import json
import logging
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

INITIAL_PPID = os.getppid()  # taken before the slow imports: the parent may die during them
os.environ.pop("MOTO_ACCOUNT_ID", None)  # would pin every request to one account

from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from moto import settings  # noqa: E402
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.utilities.utils import get_partition  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402
from moto.iam.models import get_account_id_from, iam_backends  # noqa: E402
from moto.kms.models import kms_backends  # noqa: E402
from moto.moto_api._internal.models import moto_api_backend  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)
from moto.rds.exceptions import (  # noqa: E402
    InvalidDBClusterSnapshotStateFault,
    SnapshotQuotaExceededFault,
)
from moto.rds.models import DBClusterSnapshot, RDSBackend, rds_backends  # noqa: E402
from moto.rds.responses import RDSResponse  # noqa: E402

RDS_NS = "http://rds.amazonaws.com/doc/2014-10-31/"
ERROR_NS = {
    "rds": RDS_NS,
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}
ET.register_namespace("", RDS_NS)

FAULT_KINDS = ("throttle", "500", "html500", "503", "reset", "slow")
# Actions whose results are paged: action -> list element in <ActionResult>.
PAGED_ACTIONS = {
    "DescribeDBClusterSnapshots": "DBClusterSnapshots",
    "DescribeDBClusters": "DBClusters",
}
DEFAULT_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["rds:*", "sts:*", "kms:*"], "Resource": "*"}
        ],
    }
)

# One lock for moto and for our state: moto is not thread-safe, its calls are
# short, and every sleep (latency, slow faults) happens outside the lock.
LOCK = threading.RLock()


class BadRequest(Exception):
    """A control request we refuse: answered 400 {"error": message}."""


# ---------------------------------------------------------------------------
# State: config, fault rules, copy clocks, stats


def _nested_inc(table: dict, *keys_and_amount) -> None:
    *keys, amount = keys_and_amount
    for key in keys[:-1]:
        table = table.setdefault(key, {})
    table[keys[-1]] = table.get(keys[-1], 0) + amount


class CopyClock:
    """When a copy started, how long it copies, and whether it ends failed."""

    def __init__(self, started: float, seconds: float, fails: bool):
        self.started, self.seconds, self.fails = started, seconds, fails


class FakeState:
    def __init__(self, base_latency_ms: int):
        self.base_latency_ms = base_latency_ms
        self.reset()

    def reset(self) -> None:
        self.config = self.default_config()
        self.rules: list[dict] = []
        self.random = random.Random(0)
        self.copies: dict[tuple[str, str, str], CopyClock] = {}
        self.stats = self.empty_stats()

    def default_config(self) -> dict:
        return {
            "latencyMs": self.base_latency_ms,
            "pageSize": None,
            "copyingSeconds": 0,
            "randomSeed": 0,
            "faults": [],
            "maxInflightCopies": None,
            "failCopies": [],
        }

    @staticmethod
    def empty_stats() -> dict:
        return {
            "callsByAction": {},
            "callsByRegion": {},
            "callsByRegionAndAction": {},
            "faultsInjected": {},
            "faultsInjectedByAction": {},
            "maxConcurrentCopies": {},
            "copyingNow": {},
            "copyRequestsByTarget": {},
            "copiesCreatedByTarget": {},
            "inflightQuotaRejections": 0,
            "accessKeys": {},
        }

    # -- config ----------------------------------------------------------

    def set_config(self, body: dict) -> None:
        """Replaces the whole config: keys left out (or null) take their defaults."""
        if not isinstance(body, dict):
            raise BadRequest("config must be a JSON object")
        config = self.default_config()
        unknown = set(body) - set(config)
        if unknown:
            raise BadRequest(f"unknown config keys: {sorted(unknown)}")
        for key, value in body.items():
            if value is not None:
                config[key] = value
        config["latencyMs"] = _int(config["latencyMs"], "latencyMs", minimum=0)
        if config["pageSize"] is not None:
            config["pageSize"] = _int(config["pageSize"], "pageSize", minimum=1)
        if not isinstance(config["copyingSeconds"], (int, float)) or config["copyingSeconds"] < 0:
            raise BadRequest("copyingSeconds must be a number >= 0")
        if config["maxInflightCopies"] is not None:
            config["maxInflightCopies"] = _int(config["maxInflightCopies"], "maxInflightCopies", minimum=0)
        if not isinstance(config["failCopies"], list) or not all(isinstance(t, str) for t in config["failCopies"]):
            raise BadRequest("failCopies must be a list of strings")
        if not isinstance(config["faults"], list):
            raise BadRequest("faults must be a list")
        config["faults"] = [_validate_rule(rule, i) for i, rule in enumerate(config["faults"])]
        config["randomSeed"] = _int(config["randomSeed"], "randomSeed", minimum=0)
        self.config = config
        self.rules = [dict(rule, seen=0, fired=0) for rule in config["faults"]]
        self.random = random.Random(config["randomSeed"])

    # -- faults ----------------------------------------------------------

    def due_faults(self, action: str, region: str | None) -> tuple[list[dict], list[dict]]:
        """Counts the call against every matching rule; returns the rules that fire,
        split by phase. At most one non-slow rule fires per call and phase."""
        due: dict[str, list[dict]] = {"before": [], "after": []}
        terminal_taken = {"before": False, "after": False}
        # "before" rules first, so an "after" rule knows whether the call reaches moto at all.
        for rule in sorted(self.rules, key=lambda rule: rule["phase"] != "before"):
            if rule["action"] not in ("*", action):
                continue
            if rule.get("region") not in (None, region):
                continue
            rule["seen"] += 1
            if rule["times"] is not None and rule["fired"] >= rule["times"]:
                continue
            if rule["everyNth"] is not None and rule["seen"] % rule["everyNth"] != 0:
                continue
            if rule["probability"] is not None and self.random.random() >= rule["probability"]:
                continue
            phase = rule["phase"]
            # A call a "before" rule rejects never reaches moto, so an "after" rule has nothing
            # to replace: it must not use up one of its times.
            if phase == "after" and terminal_taken["before"]:
                continue
            if rule["kind"] != "slow":
                if terminal_taken[phase]:
                    continue
                terminal_taken[phase] = True
            rule["fired"] += 1
            if rule["kind"] == "slow" and rule["maxDelayMs"] is not None:
                due[phase].append(dict(rule, delayMs=self.random.randint(rule["delayMs"], rule["maxDelayMs"])))
            else:
                due[phase].append(rule)
        return due["before"], due["after"]

    def count_fault(self, kind: str, action: str) -> None:
        _nested_inc(self.stats["faultsInjected"], kind, 1)
        _nested_inc(self.stats["faultsInjectedByAction"], action, kind, 1)

    # -- copies ----------------------------------------------------------

    def tick(self, now: float) -> None:
        """Moves every tracked copy along its clock: copying, then available/failed."""
        for key, clock in list(self.copies.items()):
            account, region, snapshot_id = key
            snapshot = rds_backends[account][region].cluster_snapshots.get(snapshot_id)
            if snapshot is None:
                del self.copies[key]
                continue
            elapsed = now - clock.started
            if elapsed < clock.seconds:
                snapshot.status = "copying"
                snapshot.percent_progress = max(0, min(99, int(99 * elapsed / clock.seconds)))
            else:
                snapshot.status = "failed" if clock.fails else "available"
                snapshot.percent_progress = 0 if clock.fails else 100
                del self.copies[key]

    def copying_count(self, account: str, region: str) -> int:
        return sum(1 for (a, r, _) in self.copies if a == account and r == region)

    def copying_now(self) -> dict:
        table: dict = {}
        for account, region, _ in self.copies:
            _nested_inc(table, account, region, 1)
        return table


def _int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadRequest(f"{name} must be an integer >= {minimum}")
    return value


def _validate_rule(rule, index: int) -> dict:
    where = f"faults[{index}]"
    if not isinstance(rule, dict):
        raise BadRequest(f"{where} must be an object")
    known = {"action", "kind", "times", "everyNth", "probability", "delayMs", "maxDelayMs", "region", "phase"}
    unknown = set(rule) - known
    if unknown:
        raise BadRequest(f"{where}: unknown keys {sorted(unknown)}")
    kind = rule.get("kind")
    if kind not in FAULT_KINDS:
        raise BadRequest(f"{where}.kind must be one of {list(FAULT_KINDS)}")
    action = rule.get("action", "*")
    if not isinstance(action, str) or not action:
        raise BadRequest(f"{where}.action must be an action name or *")
    phase = rule.get("phase") or "before"
    if phase not in ("before", "after"):
        raise BadRequest(f"{where}.phase must be before or after")
    times = rule.get("times")
    every = rule.get("everyNth")
    delay = rule.get("delayMs")
    probability = rule.get("probability")
    if probability is not None and (isinstance(probability, bool) or not isinstance(probability, (int, float))
                                    or not 0 <= probability <= 1):
        raise BadRequest(f"{where}.probability must be a number from 0 to 1")
    max_delay = rule.get("maxDelayMs")
    delay_ms = 1000 if delay is None else _int(delay, f"{where}.delayMs", 0)
    if max_delay is not None and _int(max_delay, f"{where}.maxDelayMs", delay_ms) < delay_ms:
        raise BadRequest(f"{where}.maxDelayMs must be at least delayMs")
    return {
        "action": action,
        "kind": kind,
        "times": None if times is None else _int(times, f"{where}.times", 0),
        "everyNth": None if every is None else _int(every, f"{where}.everyNth", 1),
        "delayMs": delay_ms,
        "probability": probability,
        "maxDelayMs": max_delay,
        "region": rule.get("region"),
        "phase": phase,
    }


STATE = FakeState(0)


# ---------------------------------------------------------------------------
# Patches to moto's RDS backend (what the module docstring lists)

_original_get_snapshot = RDSBackend.get_snapshot
_original_copy = RDSBackend.copy_db_cluster_snapshot


def _get_snapshot(self, identifier, resource_type, not_found_exception):
    if resource_type is DBClusterSnapshot and identifier.startswith("arn:"):
        parts = identifier.split(":", 6)
        if len(parts) == 7 and parts[5] == "cluster-snapshot":
            region, account, name = parts[3], parts[4], parts[6]
            try:
                snapshot = rds_backends[account][region].cluster_snapshots.get(name)
            except KeyError:
                snapshot = None
            if snapshot is None:
                raise not_found_exception(identifier)
            if account != self.account_id:
                shared_with = set(snapshot.attributes.get("restore", []))
                if not shared_with & {self.account_id, "all"}:
                    raise not_found_exception(identifier)
            return snapshot
    return _original_get_snapshot(self, identifier, resource_type, not_found_exception)


def _copy_db_cluster_snapshot(self, **kwargs):
    source_id = kwargs["source_db_cluster_snapshot_identifier"]
    target_id = kwargs["target_db_cluster_snapshot_identifier"].lower()
    with LOCK:
        now = time.monotonic()
        STATE.tick(now)
        config = STATE.config
        if target_id not in self.cluster_snapshots:
            source = self.get_db_cluster_snapshot(source_id)
            if source.status != "available":
                raise InvalidDBClusterSnapshotStateFault(
                    f"Cannot copy DB cluster snapshot {source_id}: its status is {source.status}."
                )
            limit = config["maxInflightCopies"]
            if limit is not None and STATE.copying_count(self.account_id, self.region_name) + 1 > limit:
                STATE.stats["inflightQuotaRejections"] += 1
                raise SnapshotQuotaExceededFault()
        snapshot = _original_copy(self, **kwargs)
        snapshot.source_db_cluster_snapshot_arn = self.get_db_cluster_snapshot(source_id).arn
        fails = target_id in {t.lower() for t in config["failCopies"]}
        STATE.copies[(self.account_id, self.region_name, target_id)] = CopyClock(
            now, float(config["copyingSeconds"]), fails
        )
        STATE.tick(now)
        copying = STATE.copying_count(self.account_id, self.region_name)
        peaks = STATE.stats["maxConcurrentCopies"].setdefault(self.account_id, {})
        peaks[self.region_name] = max(peaks.get(self.region_name, 0), copying)
        _nested_inc(STATE.stats["copiesCreatedByTarget"], target_id, 1)
        return snapshot


def _describe_db_cluster_snapshots(self):
    params = self.params
    cluster_id = params.get("DBClusterIdentifier")
    snapshot_id = params.get("DBClusterSnapshotIdentifier")
    snapshot_type = params.get("SnapshotType")
    filters = {f["Name"]: f["Values"] for f in params.get("Filters", [])}
    snapshots = list(
        self.backend.describe_db_cluster_snapshots(cluster_id, snapshot_id, snapshot_type, dict(filters))
    )
    include_shared = str(params.get("IncludeShared", "")).lower() == "true"
    if include_shared and snapshot_type is None and snapshot_id is None:
        shared = {
            s.arn: s
            for s in self.backend.get_shared_db_cluster_snapshots()
            if s.account_id != self.backend.account_id
        }
        if cluster_id:
            filters["db-cluster-id"] = [cluster_id]
        if filters:
            shared = self.backend._filter_resources(shared, filters, DBClusterSnapshot)
        snapshots += list(shared.values())
    return ActionResult({"DBClusterSnapshots": snapshots})


RDSBackend.get_snapshot = _get_snapshot
RDSBackend.copy_db_cluster_snapshot = _copy_db_cluster_snapshot
RDSResponse.describe_db_cluster_snapshots = _describe_db_cluster_snapshots


# Neptune's DBClusterSnapshot has no TagList (botocore's model); moto renders RDS's, which has.
# The fake removes it from every answer that carries snapshots, so that snapcopy is tested
# against what Neptune sends: tags come only from ListTagsForResource.
SNAPSHOT_ANSWERS = {"DescribeDBClusterSnapshots", "CopyDBClusterSnapshot", "DeleteDBClusterSnapshot",
                    "CreateDBClusterSnapshot"}
_TAG_LIST = re.compile(rb"<TagList\s*/>|<TagList>.*?</TagList>", re.DOTALL)


def _without_tag_lists(response: bytes) -> bytes:
    return _TAG_LIST.sub(b"", response)


# Resource-level authorization. moto checks every RDS action against the resource "*", so a
# policy scoped to cluster-snapshot ARNs (as the README's least-privilege policies are) would be
# refused for everything. AWS checks each action against the resources the Service Authorization
# Reference lists for it; the fake does the same for the actions snapcopy makes, each resource in
# turn, so that a policy is enough here only if it would be on AWS.
def _rds_authorization_resources(response) -> list:
    action = response._get_action()
    partition = get_partition(response.region)

    def snapshot_arn(identifier):
        if not identifier or identifier.startswith("arn:"):
            return identifier or "*"
        return f"arn:{partition}:rds:{response.region}:{response.current_account}:cluster-snapshot:{identifier}"

    if action in ("ListTagsForResource", "AddTagsToResource", "RemoveTagsFromResource"):
        return [response._get_param("ResourceName") or "*"]
    if action == "CopyDBClusterSnapshot":
        return [snapshot_arn(response._get_param("SourceDBClusterSnapshotIdentifier")),
                snapshot_arn(response._get_param("TargetDBClusterSnapshotIdentifier"))]
    if action == "DeleteDBClusterSnapshot":
        return [snapshot_arn(response._get_param("DBClusterSnapshotIdentifier"))]
    return ["*"]


_moto_authorize_normal_action = RDSResponse._authenticate_and_authorize_normal_action


def _authorize_rds_resources(self, resource: str = "*") -> None:
    for arn in _rds_authorization_resources(self):
        _moto_authorize_normal_action(self, arn)


RDSResponse._authenticate_and_authorize_normal_action = _authorize_rds_resources


# ---------------------------------------------------------------------------
# Seeding state in-process


def _tags(value, where: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise BadRequest(f"{where}.tags must be an object of strings")
    return [{"Key": str(k), "Value": str(v)} for k, v in value.items()]


def _check_keys(obj, known: set, where: str) -> dict:
    if not isinstance(obj, dict):
        raise BadRequest(f"{where} must be an object")
    unknown = set(obj) - known
    if unknown:
        raise BadRequest(f"{where}: unknown keys {sorted(unknown)}")
    return obj


def _parse_time(value: str, where: str) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise BadRequest(f"{where} must be an ISO 8601 date-time") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def seed(body: dict) -> dict:
    """POST /_fake/seed: creates KMS keys, roles, clusters and snapshots in one
    account and region; existing snapshots are updated (status, tags, sharing)."""
    _check_keys(body, {"account", "region", "clusters", "snapshots", "kmsKeys", "roles"}, "seed")
    account = str(body.get("account") or DEFAULT_ACCOUNT_ID)
    region = str(body.get("region") or "us-east-1")
    backend = rds_backends[account][region]
    kms = kms_backends[account][region]
    result: dict = {"clusters": {}, "snapshots": {}, "kmsKeys": {}, "roles": {}}

    for i, key in enumerate(body.get("kmsKeys") or []):
        key = _check_keys(key, {"alias", "description"}, f"kmsKeys[{i}]")
        created = kms.create_key(
            policy=None, key_usage="ENCRYPT_DECRYPT", key_spec="SYMMETRIC_DEFAULT",
            description=key.get("description", "fake_neptune seed"), tags=None,
        )
        alias = key.get("alias")
        if alias:
            kms.create_alias(created.id, alias)
        result["kmsKeys"][alias or created.id] = created.arn

    iam = iam_backends[account]["aws"]
    for i, role in enumerate(body.get("roles") or []):
        role = _check_keys(role, {"name", "policy"}, f"roles[{i}]")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        created = iam.create_role(role["name"], json.dumps(trust), "/", None, "", [], None)
        iam.put_role_policy(role["name"], "fake-neptune", role.get("policy") or DEFAULT_POLICY)
        result["roles"][role["name"]] = created.arn

    for i, cluster in enumerate(body.get("clusters") or []):
        where = f"clusters[{i}]"
        _check_keys(cluster, {"id", "engine", "engineVersion", "storageEncrypted", "kmsKeyId", "tags",
                              "status"}, where)
        cluster_id = cluster.get("id")
        if not cluster_id:
            raise BadRequest(f"{where}.id is required")
        if cluster_id in backend.clusters:
            result["clusters"][cluster_id] = backend.clusters[cluster_id].db_cluster_arn
            continue
        engine = cluster.get("engine", "neptune")
        kwargs = {
            "db_cluster_identifier": cluster_id,
            "engine": "aurora-mysql" if engine == "docdb" else engine,
            "storage_encrypted": bool(cluster.get("storageEncrypted", False)),
            "tags": _tags(cluster.get("tags"), where),
        }
        if cluster.get("engineVersion"):
            kwargs["engine_version"] = cluster["engineVersion"]
        if cluster.get("kmsKeyId"):
            try:
                kwargs["kms_key_id"] = kms.describe_key(cluster["kmsKeyId"]).arn
            except Exception:
                kwargs["kms_key_id"] = cluster["kmsKeyId"]
        if engine != "neptune":
            kwargs["master_username"] = "admin"
            kwargs["master_user_password"] = "fake-neptune-password"
        before = set(backend.cluster_snapshots)
        created = backend.create_db_cluster(kwargs)
        for snapshot_id in set(backend.cluster_snapshots) - before:
            del backend.cluster_snapshots[snapshot_id]  # moto's automatic automated snapshot
        if engine == "docdb":
            created.engine, created.engine_version, created.port = "docdb", "5.0.0", 27017
        created.status = cluster.get("status") or "available"  # moto would say creating once
        result["clusters"][cluster_id] = created.db_cluster_arn

    for i, snap in enumerate(body.get("snapshots") or []):
        where = f"snapshots[{i}]"
        _check_keys(snap, {"id", "cluster", "type", "tags", "status", "percentProgress",
                           "shareWith", "createdAt"}, where)
        snapshot_id = snap.get("id")
        if not snapshot_id:
            raise BadRequest(f"{where}.id is required")
        snapshot = backend.cluster_snapshots.get(snapshot_id)
        if snapshot is None:
            cluster_id = snap.get("cluster")
            if cluster_id not in backend.clusters:
                raise BadRequest(f"{where}.cluster {cluster_id!r} does not exist in {account}/{region}")
            snapshot_type = snap.get("type", "manual")
            if snapshot_type not in ("manual", "automated"):
                raise BadRequest(f"{where}.type must be manual or automated")
            snapshot = backend.create_db_cluster_snapshot(
                cluster_id, snapshot_id, snapshot_type=snapshot_type, tags=_tags(snap.get("tags"), where)
            )
        elif "tags" in snap:
            snapshot.tags = _tags(snap.get("tags"), where)
        if snap.get("status"):
            snapshot.status = snap["status"]
            snapshot.percent_progress = 100 if snap["status"] == "available" else 0
        if snap.get("percentProgress") is not None:
            snapshot.percent_progress = _int(snap["percentProgress"], f"{where}.percentProgress", 0)
        if snap.get("createdAt"):
            snapshot.created = _parse_time(snap["createdAt"], f"{where}.createdAt")
        if snap.get("shareWith"):
            backend.modify_db_cluster_snapshot_attribute(
                snapshot.db_cluster_snapshot_identifier, "restore", list(snap["shareWith"]), []
            )
        result["snapshots"][snapshot_id] = snapshot.arn
    return result


def make_credentials(body: dict) -> dict:
    """POST /_fake/credentials: an IAM user with a policy and a long-term key."""
    _check_keys(body, {"account", "userName", "policy"}, "credentials")
    account = str(body.get("account") or DEFAULT_ACCOUNT_ID)
    user_name = body.get("userName") or f"fake-neptune-{uuid.uuid4().hex[:8]}"
    iam = iam_backends[account]["aws"]
    user = iam.create_user("us-east-1", user_name)
    iam.put_user_policy(user_name, "fake-neptune", body.get("policy") or DEFAULT_POLICY)
    key = iam.create_access_key(user_name)
    return {"account": account, "userArn": user.arn,
            "accessKeyId": key.access_key_id, "secretAccessKey": key.secret_access_key}


def set_auth(enabled: bool) -> None:
    """What `POST /moto-api/reset-auth` does: 0 free calls (on) or infinitely many."""
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if enabled else float("inf")
    ActionAuthenticatorMixin.request_count = 0


def reset_everything() -> None:
    moto_api_backend.reset()
    set_auth(False)
    STATE.reset()


# ---------------------------------------------------------------------------
# WSGI middleware


class DropConnection(ConnectionAbortedError):
    """Raised after the socket is closed; werkzeug treats it as a dropped client."""


def _json_response(start_response, status: int, payload) -> list[bytes]:
    body = (json.dumps(payload, sort_keys=True) + "\n").encode()
    start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _read_body(environ) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _request_params(environ, body: bytes) -> dict[str, str]:
    params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    return params


def _credential_scope(environ, params) -> tuple[str | None, str | None, str | None]:
    """(access key, region, service) from the SigV4 header or a presigned query."""
    credential = params.get("X-Amz-Credential")
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in auth:
        credential = auth.split("Credential=", 1)[1].split(",", 1)[0].strip()
    if not credential:
        return None, None, None
    parts = credential.split("/")
    if len(parts) < 5:
        return parts[0], None, None
    return parts[0], parts[2], parts[3]


def _error_response(start_response, status: str, service: str | None, code: str,
                    message: str, sender: bool) -> list[bytes]:
    namespace = ERROR_NS.get(service or "", "")
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = (
        f"<ErrorResponse{xmlns}><Error><Type>{'Sender' if sender else 'Receiver'}</Type>"
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()
    start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body))),
                            ("x-amzn-RequestId", str(uuid.uuid4()))])
    return [body]


def _fault_response(environ, start_response, kind: str, service: str | None):
    if kind == "throttle":
        return _error_response(start_response, "400 Bad Request", service, "Throttling",
                               "Rate exceeded", sender=True)
    if kind == "500":
        return _error_response(start_response, "500 Internal Server Error", service, "InternalFailure",
                               "An internal error occurred (injected by fake_neptune).", sender=False)
    if kind == "503":
        return _error_response(start_response, "503 Service Unavailable", service, "ServiceUnavailable",
                               "Service unavailable (injected by fake_neptune).", sender=False)
    if kind == "html500":
        body = (b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
                b"<body><h1>Internal Server Error</h1><p>injected by fake_neptune</p></body></html>")
        start_response("500 Internal Server Error",
                       [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
        return [body]
    if kind == "reset":
        # Linger {on, 0} turns the close into a RST. close() only marks the socket
        # closed while werkzeug's reader and writer hold it; the handler closes them
        # when it returns, which sends the RST, before it could write a FIN.
        handler = environ.get("fake_neptune.handler")
        sock = environ.get("werkzeug.socket")
        if handler is not None:
            handler.close_connection = True
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
            except OSError:
                pass
        raise DropConnection("connection reset injected by fake_neptune")
    raise AssertionError(kind)


def _encode_marker(offset: int) -> str:
    return base64.urlsafe_b64encode(f"fake-neptune:{offset}".encode()).decode()


def _decode_marker(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, offset = text.split(":")
        if prefix != "fake-neptune" or int(offset) < 0:
            raise ValueError
        return int(offset)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(f"Invalid Marker: {marker}") from None


def _page(action: str, body: bytes, offset: int, size: int) -> bytes:
    root = ET.fromstring(body)
    result = root.find(f"{{{RDS_NS}}}{action}Result")
    if result is None:
        return body
    container = result.find(f"{{{RDS_NS}}}{PAGED_ACTIONS[action]}")
    for old in result.findall(f"{{{RDS_NS}}}Marker"):
        result.remove(old)
    if container is None:
        return body
    items = list(container)
    for item in items:
        container.remove(item)
    for item in items[offset:offset + size]:
        container.append(item)
    if offset + size < len(items):
        marker = ET.Element(f"{{{RDS_NS}}}Marker")
        marker.text = _encode_marker(offset + size)
        result.insert(0, marker)
    return ET.tostring(root, encoding="utf-8", xml_declaration=False)


class FakeNeptuneApp:
    def __init__(self) -> None:
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.moto.debug = True  # as moto_server does

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        try:
            if path.startswith("/_fake/"):
                return self.control(environ, start_response, path)
            if path.startswith("/moto-api"):
                with LOCK:
                    status, headers, body = self.call_moto(environ)
                start_response(status, headers)
                return [body]
            return self.aws_call(environ, start_response)
        except DropConnection:
            raise
        except BadRequest as e:
            return _json_response(start_response, 400, {"error": str(e)})
        except Exception as e:  # a bug here: say so loudly, on stderr and in the answer
            traceback.print_exc(file=sys.stderr)
            return _error_response(start_response, "500 Internal Server Error", None,
                                   "FakeNeptuneError", f"fake_neptune failed: {e!r}", sender=False)

    def call_moto(self, environ) -> tuple[str, list, bytes]:
        captured: dict = {}
        chunks: list[bytes] = []

        def start_response(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return chunks.append

        iterable = self.moto(environ, start_response)
        try:
            for chunk in iterable:
                chunks.append(chunk)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        return captured["status"], captured["headers"], b"".join(chunks)

    # -- AWS calls -------------------------------------------------------

    def aws_call(self, environ, start_response):
        body = _read_body(environ)
        params = _request_params(environ, body)
        action = params.get("Action") or environ.get("HTTP_X_AMZ_TARGET", "").split(".")[-1] or "?"
        access_key, region, service = _credential_scope(environ, params)
        with LOCK:
            stats = STATE.stats
            if access_key:
                now = time.time()
                use = stats["accessKeys"].setdefault(access_key, {"calls": 0, "firstUse": now, "lastUse": now})
                use["calls"] += 1
                use["lastUse"] = now
            _nested_inc(stats["callsByAction"], action, 1)
            _nested_inc(stats["callsByRegion"], region or "?", 1)
            _nested_inc(stats["callsByRegionAndAction"], region or "?", action, 1)
            if action == "CopyDBClusterSnapshot" and params.get("TargetDBClusterSnapshotIdentifier"):
                _nested_inc(stats["copyRequestsByTarget"],
                            params["TargetDBClusterSnapshotIdentifier"].lower(), 1)
            latency_ms = STATE.config["latencyMs"]
            page_size = STATE.config["pageSize"]
            before, after = STATE.due_faults(action, region)
        if latency_ms:
            time.sleep(latency_ms / 1000)

        terminal = self.run_faults(before, action)
        if terminal is not None:
            return _fault_response(environ, start_response, terminal, service)

        page = None
        if action in PAGED_ACTIONS and service == "rds":
            page = self.page_request(params, page_size, start_response, service)
            if isinstance(page, list):  # an error answer
                return page

        with LOCK:
            STATE.tick(time.monotonic())
            status, headers, response = self.call_moto(environ)
            if page is not None and status.startswith("200"):
                response = _page(action, response, *page)
            if service == "rds" and action in SNAPSHOT_ANSWERS and status.startswith("200"):
                response = _without_tag_lists(response)
            headers = [(k, str(len(response)) if k.lower() == "content-length" else v)
                       for k, v in headers]

        terminal = self.run_faults(after, action)
        if terminal is not None:
            return _fault_response(environ, start_response, terminal, service)
        start_response(status, headers)
        return [response]

    def run_faults(self, rules: list[dict], action: str) -> str | None:
        """Sleeps for slow rules; returns the kind of the terminal fault, if any."""
        terminal = None
        for rule in rules:
            with LOCK:
                STATE.count_fault(rule["kind"], action)
            if rule["kind"] == "slow":
                time.sleep(rule["delayMs"] / 1000)
            else:
                terminal = rule["kind"]
        return terminal

    def page_request(self, params, page_size, start_response, service):
        """(offset, size) for a paged describe, or an error answer like AWS's."""
        size = 100
        if params.get("MaxRecords") is not None:
            try:
                size = int(params["MaxRecords"])
            except ValueError:
                size = -1
            if not 20 <= size <= 100:
                return _error_response(start_response, "400 Bad Request", service, "InvalidParameterValue",
                                       f"Invalid value {params['MaxRecords']} for MaxRecords. "
                                       "Must be between 20 and 100.", sender=True)
        if page_size is not None:
            size = min(size, page_size)
        offset = 0
        if params.get("Marker"):
            try:
                offset = _decode_marker(params["Marker"])
            except BadRequest as e:
                return _error_response(start_response, "400 Bad Request", service,
                                       "InvalidParameterValue", str(e), sender=True)
        return offset, size

    # -- control endpoints ----------------------------------------------

    def control(self, environ, start_response, path: str):
        method = environ.get("REQUEST_METHOD", "GET")
        raw = _read_body(environ)
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise BadRequest("body must be JSON") from None
        with LOCK:
            if path == "/_fake/config":
                if method == "POST":
                    STATE.set_config(body)
                return _json_response(start_response, 200, STATE.config)
            if path == "/_fake/stats" and method == "GET":
                STATE.tick(time.monotonic())
                stats = dict(STATE.stats, copyingNow=STATE.copying_now())
                return _json_response(start_response, 200, stats)
            if path == "/_fake/stats/reset" and method == "POST":
                STATE.stats = STATE.empty_stats()
                return _json_response(start_response, 200, {"status": "ok"})
            if path == "/_fake/seed" and method == "POST":
                return self.moto_errors_as_400(start_response, seed, body)
            if path == "/_fake/credentials" and method == "POST":
                return self.moto_errors_as_400(start_response, make_credentials, body)
            if path == "/_fake/auth":
                if method == "POST":
                    _check_keys(body, {"enabled"}, "auth")
                    set_auth(bool(body.get("enabled")))
                enabled = settings.INITIAL_NO_AUTH_ACTION_COUNT != float("inf")
                return _json_response(start_response, 200, {"enabled": enabled})
            if path == "/_fake/reset" and method == "POST":
                reset_everything()
                return _json_response(start_response, 200, {"status": "ok"})
        return _json_response(start_response, 404, {"error": f"no control endpoint {method} {path}"})

    @staticmethod
    def moto_errors_as_400(start_response, handler, body):
        try:
            return _json_response(start_response, 200, handler(body))
        except BadRequest:
            raise
        except Exception as e:  # moto's own validation, e.g. an unknown engine
            message = getattr(e, "message", None) or getattr(e, "description", None) or repr(e)
            return _json_response(start_response, 400, {"error": f"{type(e).__name__}: {message}"})


# ---------------------------------------------------------------------------
# Server


class QuietHandler(WSGIRequestHandler):
    """werkzeug's handler without the per-request log lines."""

    def log_request(self, code="-", size="-") -> None:
        pass

    def make_environ(self):
        environ = super().make_environ()
        environ["fake_neptune.handler"] = self  # lets a reset fault end the connection
        return environ


def watch_parent(parent_pid: int | None, max_lifetime: float) -> None:
    """Exits the process when orphaned, when parent_pid is gone, or at max_lifetime."""
    deadline = time.monotonic() + max_lifetime if max_lifetime > 0 else None
    while True:
        time.sleep(0.25)
        if os.getppid() != INITIAL_PPID:
            os._exit(0)
        if parent_pid:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
        if deadline is not None and time.monotonic() > deadline:
            print("fake_neptune: max lifetime reached, exiting", file=sys.stderr)
            os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every AWS call")
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this pid is gone")
    parser.add_argument("--max-lifetime-seconds", type=float, default=7200,
                        help="exit after this long (0: never)")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("only loopback addresses may be bound")

    os.environ.setdefault("MOTO_PORT", str(args.port))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    STATE.base_latency_ms = args.latency_ms
    STATE.reset()

    threading.Thread(target=watch_parent, args=(args.parent_pid, args.max_lifetime_seconds),
                     daemon=True).start()
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((args.host, args.port))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            print(f"fake_neptune: port {args.port} is in use", file=sys.stderr)
            sys.exit(3)
        raise
    listener.listen(128)
    server = make_server(args.host, args.port, FakeNeptuneApp(), threaded=True,
                         request_handler=QuietHandler, fd=listener.fileno())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
