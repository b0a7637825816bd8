#!/usr/bin/env bash
# The shell steps of the GitOps workflows in .github/workflows, runnable anywhere (the tests run
# them against a local fake of the Neptune API):
#
#   ci/snapcopy-ci.sh plan    validate the manifests, then plan; writes $OUT/plan.md, the
#                             pull-request comment. Exit 0 (with or without changes), 1 error.
#   ci/snapcopy-ci.sh apply   apply --auto-approve --no-wait, then commit the lock file when it
#                             changed (also after a failure: what succeeded is recorded). Exit 0, 1.
#   ci/snapcopy-ci.sh drift   refresh the lock file (commit it when it changed), then drift; writes
#                             $OUT/drift.json, $OUT/drift.md (the issue body) and $OUT/drift.xml
#                             (JUnit). Exit 0 no drift, 2 drift found, 1 error.
#
# Settings, from the environment: SNAPCOPY (the binary, default snapcopy), MANIFESTS (default
# manifests), LOCK_FILE (default snapcopy.lock), OUT (default .snapcopy-out), PUSH=true to push
# the lock-file commit, and the AWS variables (the workflows use OIDC web identity; a test sets
# AWS_ENDPOINT_URL). When GITHUB_OUTPUT is set, `changes=true|false` (plan) and
# `drift=true|false` (drift) are appended to it.
set -euo pipefail

SNAPCOPY="${SNAPCOPY:-snapcopy}"
MANIFESTS="${MANIFESTS:-manifests}"
LOCK_FILE="${LOCK_FILE:-snapcopy.lock}"
OUT="${OUT:-.snapcopy-out}"
mkdir -p "$OUT"

output() {
    if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1" >> "$GITHUB_OUTPUT"; fi
}

# Commits the lock file when it changed; pushes when PUSH=true.
commit_lock_file() {
    git add -- "$LOCK_FILE"
    if git diff --cached --quiet -- "$LOCK_FILE"; then
        echo "snapcopy-ci: $LOCK_FILE unchanged"
        return 0
    fi
    git -c user.name="${GIT_COMMITTER_NAME:-snapcopy}" -c user.email="${GIT_COMMITTER_EMAIL:-snapcopy@users.noreply.github.com}" \
        commit --quiet -m "snapcopy: $1" -- "$LOCK_FILE"
    echo "snapcopy-ci: committed $LOCK_FILE ($(git rev-parse --short HEAD))"
    if [ "${PUSH:-false}" = true ]; then git push --quiet; fi
}

case "${1:-}" in
plan)
    "$SNAPCOPY" validate "$MANIFESTS"
    status=0
    "$SNAPCOPY" plan "$MANIFESTS" --lock-file "$LOCK_FILE" --format markdown --detailed-exitcode > "$OUT/plan.md" || status=$?
    case "$status" in
        0) output "changes=false"; echo "snapcopy-ci: no changes" ;;
        2) output "changes=true"; echo "snapcopy-ci: the plan has changes ($OUT/plan.md)" ;;
        *) echo "snapcopy-ci: plan failed (exit $status); see $OUT/plan.md and the log" >&2; exit 1 ;;
    esac
    ;;
apply)
    status=0
    "$SNAPCOPY" apply "$MANIFESTS" --lock-file "$LOCK_FILE" --auto-approve --no-wait || status=$?
    # An apply that was killed leaves its journal beside the lock file; refresh folds it in (and
    # records what the copies are doing), so the commit holds every copy the apply started.
    if [ -e "$LOCK_FILE.journal" ]; then "$SNAPCOPY" refresh --lock-file "$LOCK_FILE" || status=1; fi
    commit_lock_file "apply $(git rev-parse --short HEAD)"
    exit "$status"
    ;;
drift)
    "$SNAPCOPY" refresh --lock-file "$LOCK_FILE"
    commit_lock_file "refresh"
    status=0
    "$SNAPCOPY" drift "$MANIFESTS" --lock-file "$LOCK_FILE" --format json --output "$OUT/drift.json" || status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
        echo "snapcopy-ci: drift failed (exit $status)" >&2
        exit 1
    fi
    "$SNAPCOPY" show "$OUT/drift.json" --format markdown > "$OUT/drift.md"
    "$SNAPCOPY" show "$OUT/drift.json" --format junit > "$OUT/drift.xml"
    if [ "$status" -eq 2 ]; then output "drift=true"; else output "drift=false"; fi
    exit "$status"
    ;;
*)
    echo "usage: ci/snapcopy-ci.sh plan|apply|drift" >&2
    exit 64
    ;;
esac
