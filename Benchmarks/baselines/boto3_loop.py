#!/usr/bin/env python3
"""Baseline 2: a straightforward boto3 script.

For each desired copy: describe the target; if it is missing, copy it with its tags; if it exists,
list its tags and add any that are missing. One call at a time. With --check it only looks.
Usage: boto3_loop.py DESIRED.json ENDPOINT_URL [--check]
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

clients = {}


def client(region, endpoint):
    if region not in clients:
        clients[region] = boto3.client("neptune", region_name=region, endpoint_url=endpoint)
    return clients[region]


def ensure(copy, endpoint, check):
    neptune = client(copy["region"], endpoint)
    try:
        found = neptune.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=copy["target"])["DBClusterSnapshots"][0]
    except ClientError as e:
        if e.response["Error"]["Code"] != "DBClusterSnapshotNotFoundFault":
            raise
        if check:
            return "copied"
        neptune.copy_db_cluster_snapshot(
            SourceDBClusterSnapshotIdentifier=copy["source"],
            TargetDBClusterSnapshotIdentifier=copy["target"],
            Tags=[{"Key": k, "Value": v} for k, v in copy["tags"].items()],
        )
        return "copied"
    have = {t["Key"]: t["Value"] for t in neptune.list_tags_for_resource(ResourceName=found["DBClusterSnapshotArn"])["TagList"]}
    missing = [{"Key": k, "Value": v} for k, v in copy["tags"].items() if have.get(k) != v]
    if not missing:
        return "ok"
    if not check:
        neptune.add_tags_to_resource(ResourceName=found["DBClusterSnapshotArn"], Tags=missing)
    return "tagged"


def main():
    desired, endpoint = sys.argv[1], sys.argv[2]
    check = "--check" in sys.argv[3:]
    counts = {"copied": 0, "tagged": 0, "ok": 0, "failed": 0}
    with open(desired) as f:
        copies = json.load(f)["copies"]
    for copy in copies:
        try:
            counts[ensure(copy, endpoint, check)] += 1
        except ClientError as e:
            print(f"{copy['target']}: {e}", file=sys.stderr)
            counts["failed"] += 1
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
