#!/usr/bin/env bash
# Baseline 1: what many teams run today, a shell loop over the AWS CLI.
# For each desired copy (a line of DESIRED: region, source ARN, target, tags as Key=k,Value=v ...):
# describe the target; if it is missing, copy it with its tags; if it exists, list its tags and add
# any that are missing. With --check it only looks (the equivalent of a plan).
# Usage: cli_loop.sh DESIRED.tsv ENDPOINT_URL [--check]
# The AWS CLI must be on PATH (Benchmarks/run puts its virtualenv first); credentials come from
# the environment, as for any CLI user.
set -u
desired="$1"
endpoint="$2"
check="${3:-}"
copied=0; tagged=0; ok=0; failed=0
while IFS=$'\t' read -r region source target tags; do
    arn=$(aws neptune describe-db-cluster-snapshots --region "$region" --endpoint-url "$endpoint" \
        --db-cluster-snapshot-identifier "$target" \
        --query 'DBClusterSnapshots[0].DBClusterSnapshotArn' --output text 2>/dev/null)
    if [ -z "$arn" ]; then
        if [ -n "$check" ]; then copied=$((copied + 1)); continue; fi
        # shellcheck disable=SC2086 # the tags are separate Key=...,Value=... words
        if aws neptune copy-db-cluster-snapshot --region "$region" --endpoint-url "$endpoint" \
            --source-db-cluster-snapshot-identifier "$source" \
            --target-db-cluster-snapshot-identifier "$target" \
            --tags $tags --output text --query 'DBClusterSnapshot.Status' >/dev/null; then
            copied=$((copied + 1))
        else
            failed=$((failed + 1))
        fi
        continue
    fi
    have=$(aws neptune list-tags-for-resource --region "$region" --endpoint-url "$endpoint" \
        --resource-name "$arn" --query 'TagList[].[Key,Value]' --output text | awk -F'\t' '{print "Key="$1",Value="$2}' | sort)
    want=$(tr ' ' '\n' <<<"$tags" | sort)
    missing=$(comm -13 <(printf '%s\n' "$have") <(printf '%s\n' "$want") | tr '\n' ' ')
    if [ -z "${missing// /}" ]; then
        ok=$((ok + 1))
    elif [ -n "$check" ]; then
        tagged=$((tagged + 1))
    else
        # shellcheck disable=SC2086
        aws neptune add-tags-to-resource --region "$region" --endpoint-url "$endpoint" --resource-name "$arn" --tags $missing \
            && tagged=$((tagged + 1)) || failed=$((failed + 1))
    fi
done < "$desired"
echo "{\"copied\": $copied, \"tagged\": $tagged, \"ok\": $ok, \"failed\": $failed}"
