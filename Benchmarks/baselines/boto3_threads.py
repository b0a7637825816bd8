#!/usr/bin/env python3
"""Baseline 3: the boto3 script of boto3_loop.py with a thread pool.

The same check-then-copy per desired copy, run by a ThreadPoolExecutor as wide as snapcopy's
--parallelism, with a connection pool as wide (botocore's default of 10 would cap it).
Usage: boto3_threads.py DESIRED.json ENDPOINT_URL WORKERS [--check]
"""
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import boto3_loop

lock = threading.Lock()


def client(region, endpoint, workers):
    # Clients are thread-safe; creating one is not, so it happens under a lock.
    with lock:
        if region not in boto3_loop.clients:
            boto3_loop.clients[region] = boto3.session.Session().client(
                "neptune", region_name=region, endpoint_url=endpoint, config=Config(max_pool_connections=workers))
        return boto3_loop.clients[region]


def main():
    desired, endpoint, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    check = "--check" in sys.argv[4:]
    with open(desired) as f:
        copies = json.load(f)["copies"]
    for region in sorted({c["region"] for c in copies}):
        client(region, endpoint, workers)
    counts = {"copied": 0, "tagged": 0, "ok": 0, "failed": 0}

    def one(copy):
        try:
            return boto3_loop.ensure(copy, endpoint, check)
        except ClientError as e:
            print(f"{copy['target']}: {e}", file=sys.stderr)
            return "failed"

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(one, copies):
            counts[outcome] += 1
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
