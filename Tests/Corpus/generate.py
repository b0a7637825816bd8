#!/usr/bin/env python3
"""Writes the bad-input corpus: every file a user could get wrong, one per mistake.

    python3 Tests/Corpus/generate.py      # rewrites Tests/Corpus/<kind>/ and Tests/Corpus/expected.json

Each file goes with the command that reads it and a fragment naming the place of the mistake,
which the table test (Tests/SnapcopyCLITests/CorpusTests.swift) requires in the error, besides the
file's name, an exit status of 1 or 64, no crash, no API call (for manifests named plan-*, which
only the planner can refuse, no API write) and the lock file left as it was.
The huge inputs (a 50 MB file, 10,000 levels of nesting) are made by the test itself.
"""
import json, os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1"
expected = {}

def put(kind, name, data, place):
    folder = os.path.join(HERE, kind)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    expected[f"{kind}/{name}"] = place

for kind in ("manifests", "lock-files", "captures", "ignore-files", "plans", "aws-config"):
    shutil.rmtree(os.path.join(HERE, kind), ignore_errors=True)

# --- manifests -------------------------------------------------------------------------------
def manifest(entries, defaults='{"region": "us-west-2"}', extra=""):
    return '{"version": 1, "defaults": %s, "copies": [%s]%s}\n' % (defaults, entries, extra)

def entry(target="prod-dr", source=SRC, extra=""):
    return '{"source": "%s", "target": "%s"%s}' % (source, target, (", " + extra) if extra else "")

good = manifest(entry(extra='"tags": {"env": "prod"}'))
for i, cut in enumerate([1, 10, 25, 40, 60, 80, len(good) - 10, len(good) - 3, len(good) - 2]):
    put("manifests", f"truncated-{i:02d}.json", good[:cut], ":1:")
put("manifests", "empty.json", "", ":1:1")
put("manifests", "whitespace-only.json", "  \n\n ", ":3:")
put("manifests", "trailing-comma-object.json", '{"version": 1, "copies": [],}', ":1:")
put("manifests", "trailing-comma-array.json", manifest(entry() + ","), ":1:")
put("manifests", "trailing-comma-entry.json", manifest('{"source": "%s", "target": "x",}' % SRC), ":1:")
# A leading byte-order mark is accepted (editors on Windows write one); one anywhere else is not.
put("manifests", "bom-inside.json", good.replace('"copies"', '\ufeff"copies"', 1), ":1:")
put("manifests", "two-boms.json", b"\xef\xbb\xbf\xef\xbb\xbf" + good.encode(), ":1:")
put("manifests", "invalid-utf8-string.json", manifest(entry(extra='"tags": {"env": "pr\xffod"}').replace("\xff", "@")).encode().replace(b"pr@od", b"pr\xffod"), ":1:")
put("manifests", "invalid-utf8-lone-continuation.json", b'{"version": 1, "copies": [\x80]}', ":1:")
put("manifests", "duplicate-root-key.json", '{"version": 1, "version": 1, "copies": []}', 'duplicate key "version"')
put("manifests", "duplicate-entry-key.json", manifest('{"source": "%s", "target": "a", "target": "b"}' % SRC), 'duplicate key "target"')
put("manifests", "duplicate-tag-key.json", manifest(entry(extra='"tags": {"a": "1", "a": "2"}')), 'duplicate key "a"')
put("manifests", "single-quotes.json", "{'version': 1, 'copies': []}", ":1:2")
put("manifests", "comment.json", '{"version": 1, // a comment\n"copies": []}', ":1:")
put("manifests", "nan.json", '{"version": NaN, "copies": []}', ":1:")
put("manifests", "unterminated-string.json", '{"version": 1, "copies": [{"source": "abc\n"}]}', ":1:")
put("manifests", "control-character.json", '{"version": 1, "copies": [{"source": "a\tb", "target": "x"}]}', ":1:")
put("manifests", "two-documents.json", '{"version": 1, "copies": []}{"version": 1, "copies": []}', ":1:")
put("manifests", "root-array.json", "[]", ":1:1")
put("manifests", "root-string.json", '"manifest"', ":1:1")
put("manifests", "not-a-manifest.json", '{"name": "tools", "version": "1.0.0"}', "not a snapcopy manifest")
cases = {
    "unknown-root-key": ('{"version": 1, "copies": [], "copys": []}', "copys"),
    "typo-kmsKeyID": (manifest(entry(extra='"kmsKeyID": "alias/x"')), "copies[0].kmsKeyID"),
    "unknown-defaults-key": (manifest(entry(), defaults='{"region": "us-west-2", "tag": {}}'), "defaults.tag"),
    "missing-version": ('{"copies": []}', "version"),
    "newer-version": ('{"version": 2, "copies": []}', "version"),
    "version-string": ('{"version": "1", "copies": []}', "version"),
    "version-float": ('{"version": 1.0, "copies": []}', "version"),
    "missing-copies": ('{"version": 1}', "copies"),
    "copies-object": ('{"version": 1, "copies": {}}', "copies"),
    "entry-not-object": (manifest('"prod-dr"'), "copies[0]"),
    "missing-target": (manifest('{"source": "%s"}' % SRC), "copies[0].target"),
    "missing-source": (manifest('{"target": "x"}'), "copies[0].source"),
    "target-number": (manifest('{"source": "%s", "target": 7}' % SRC), "copies[0].target"),
    "copytags-string": (manifest(entry(extra='"copyTags": "yes"')), "copies[0].copyTags"),
    "target-digit-first": (manifest(entry(target="1prod")), "copies[0].target"),
    "target-trailing-hyphen": (manifest(entry(target="prod-")), "copies[0].target"),
    "target-double-hyphen": (manifest(entry(target="prod--dr")), "copies[0].target"),
    "target-too-long": (manifest(entry(target="a" + "b" * 63)), "copies[0].target"),
    "target-underscore": (manifest(entry(target="prod_dr")), "copies[0].target"),
    "target-empty": (manifest(entry(target="")), "copies[0].target"),
    "source-wrong-service": (manifest(entry(source="arn:aws:ec2:us-east-1:123456789012:cluster-snapshot:x")), "copies[0].source"),
    "source-instance-snapshot": (manifest(entry(source="arn:aws:rds:us-east-1:123456789012:snapshot:x")), "copies[0].source"),
    "source-bad-account": (manifest(entry(source="arn:aws:rds:us-east-1:1234:cluster-snapshot:x")), "copies[0].source"),
    "source-bad-region": (manifest(entry(source="arn:aws:rds:useast1:123456789012:cluster-snapshot:x")), "copies[0].source"),
    "source-unknown-partition": (manifest(entry(source="arn:aws-moon:rds:us-east-1:123456789012:cluster-snapshot:x")), "copies[0].source"),
    "source-slash": (manifest(entry(source="prod/2026")), "copies[0].source"),
    "source-other-partition": (manifest(entry(source="arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:x")), "copies[0].source"),
    "bad-region": (manifest(entry(extra='"region": "US-East-1"')), "copies[0].region"),
    "no-region": (manifest(entry(), defaults="{}"), "copies[0].region"),
    "kms-other-region": (manifest(entry(extra='"kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"')), "copies[0]"),
    "default-kms-other-region": (manifest(entry(), defaults='{"region": "us-west-2", "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}'), "defaults.kmsKeyId"),
    "kms-malformed": (manifest(entry(extra='"kmsKeyId": "my-key"')), "copies[0].kmsKeyId"),
    "kms-arn-no-id": (manifest(entry(extra='"kmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/"')), "copies[0].kmsKeyId"),
    "kms-bad-alias": (manifest(entry(extra='"kmsKeyId": "alias/with space"')), "copies[0].kmsKeyId"),
    "tag-reserved-aws": (manifest(entry(extra='"tags": {"aws:owner": "x"}')), "copies[0].tags"),
    "tag-reserved-rds-list": (manifest(entry(extra='"tags": [{"Key": "RDS:x", "Value": "y"}]')), "copies[0].tags[0]"),
    "tag-reserved-snapcopy": (manifest(entry(extra='"tags": {"snapcopy:source": "x"}')), "copies[0].tags"),
    "tag-key-too-long": (manifest(entry(extra='"tags": {"%s": "x"}' % ("k" * 129))), "copies[0].tags"),
    "tag-key-empty": (manifest(entry(extra='"tags": {"": "x"}')), "copies[0].tags"),
    "tag-value-too-long": (manifest(entry(extra='"tags": {"k": "%s"}' % ("v" * 257))), "copies[0].tags.k"),
    "tag-semicolon": (manifest(entry(extra='"tags": {"k": "a;b"}')), "copies[0].tags.k"),
    "tag-newline-key": (manifest(entry(extra='"tags": {"a\\nb": "v"}')), "copies[0].tags"),
    "tag-tab-value": (manifest(entry(extra='"tags": {"k": "c\\td"}')), "copies[0].tags.k"),
    "tag-escape-sequence": (manifest(entry(extra='"tags": {"k": "\\u001b[31mred"}')), "copies[0].tags.k"),
    "too-many-tags": (manifest(entry(extra='"tags": {%s}' % ", ".join('"k%d": "v"' % i for i in range(50)))), "copies[0].tags"),
    "too-many-tags-with-defaults": (manifest(entry(extra='"tags": {%s}' % ", ".join('"k%d": "v"' % i for i in range(25))),
                                            defaults='{"region": "us-west-2", "tags": {%s}}' % ", ".join('"d%d": "v"' % i for i in range(25))), "copies[0].tags"),
    "tag-value-number": (manifest(entry(extra='"tags": {"k": 1}')), "copies[0].tags.k"),
    "tags-string": (manifest(entry(extra='"tags": "env=prod"')), "copies[0].tags"),
    "tag-list-no-key": (manifest(entry(extra='"tags": [{"Value": "v"}]')), "copies[0].tags[0].Key"),
    "tag-list-duplicate": (manifest(entry(extra='"tags": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]')), "copies[0].tags[1]"),
    "tag-list-extra-field": (manifest(entry(extra='"tags": [{"Key": "a", "Value": "1", "Note": "x"}]')), "copies[0].tags[0]"),
    "bad-deletion-policy": (manifest(entry(extra='"deletionPolicy": "destroy"')), "copies[0].deletionPolicy"),
    "bad-role-arn": (manifest(entry(extra='"roleArn": "arn:aws:iam::123:user/x"')), "copies[0].roleArn"),
    "role-unknown-partition": (manifest(entry(extra='"roleArn": "arn:foo:iam::123456789012:role/x"')), "copies[0].roleArn"),
    "role-other-partition": (manifest(entry(extra='"roleArn": "arn:aws-us-gov:iam::123456789012:role/x"')), "copies[0].roleArn"),
    "self-copy": (manifest(entry(target="prod-dr", source="prod-dr")), "copies[0].target"),
    "duplicate-entry": (manifest(entry() + ", " + entry(target="PROD-DR")), "copies[1].target"),
    "ignore-keys-string": (manifest(entry(), defaults='{"region": "us-west-2", "ignoreTagKeys": "owner"}'), "defaults.ignoreTagKeys"),
    "defaults-array": (manifest(entry(), defaults="[]"), "defaults"),
    "kms-null-in-defaults-wrong-type": (manifest(entry(), defaults='{"region": "us-west-2", "kmsKeyId": 5}'), "defaults.kmsKeyId"),
    # rules
    "rules-object": ('{"version": 1, "rules": {}}', "rules"),
    "rule-no-name": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"copy": {"target": "{date}"}}]}', "rules[0].name"),
    "rule-no-copy": ('{"version": 1, "rules": [{"name": "r"}]}', "rules[0].copy"),
    "rule-unknown-placeholder": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "{week}-dr"}}]}', "rules[0].copy.target"),
    "rule-literal-character": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "{date}_dr"}}]}', "rules[0].copy.target"),
    "rule-no-placeholder": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "dr"}}]}', "rules[0].copy.target"),
    "rule-too-long": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "select": {"clusters": ["%s"]}, "copy": {"target": "{cluster}-{source}"}}]}' % ("c" * 30), "rules[0].copy.target"),
    "rule-latest-and-within": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "select": {"latest": 1, "within": "P1D"}, "copy": {"target": "{date}"}}]}', "rules[0].select.within"),
    "rule-bad-duration": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "{date}"}, "rpo": "P1M"}]}', "rules[0].rpo"),
    "rule-keep-zero": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "{date}"}, "retain": {"keep": 0}}]}', "rules[0].retain.keep"),
    "rule-retain-empty": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "{date}"}, "retain": {}}]}', "rules[0].retain"),
    "rule-bad-type": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "select": {"type": "shared"}, "copy": {"target": "{date}"}}]}', "rules[0].select.type"),
    "rule-bad-account": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "select": {"account": "12"}, "copy": {"target": "{date}"}}]}', "rules[0].select.account"),
    "rule-bad-cluster-pattern": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "select": {"clusters": ["graph-["]}, "copy": {"target": "{date}"}}]}', "rules[0].select.clusters[0]"),
    "rule-name-newline": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "a\\nb", "copy": {"target": "{date}"}}]}', "rules[0].name"),
    "rule-duplicate-name": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "{date}"}}, {"name": "r", "copy": {"target": "{time}"}}]}', "rules[1]"),
    "rule-unknown-key": ('{"version": 1, "defaults": {"region": "us-west-2"}, "rules": [{"name": "r", "copy": {"target": "{date}"}, "retian": {}}]}', "rules[0].retian"),
    "rule-no-region": ('{"version": 1, "rules": [{"name": "r", "copy": {"target": "{date}"}}]}', "rules[0].copy.region"),
}
for name, (text, place) in cases.items():
    put("manifests", name + ".json", text, place)
# Valid files the planner refuses (names start with plan-): live state is read, nothing is written.
put("manifests", "plan-copy-cycle.json", manifest(entry(target="loop-a", source="arn:aws:rds:us-east-1:123456789012:cluster-snapshot:loop-b")
    + ", " + entry(target="loop-b", source="arn:aws:rds:us-east-1:123456789012:cluster-snapshot:loop-a"), defaults='{"region": "us-east-1"}'),
    "copies[1]")

# --- lock files ------------------------------------------------------------------------------
record = {"copyTags": False, "deletionPolicy": "retain", "entryDigest": "sha256:" + "0" * 64, "region": "us-west-2",
          "sourceARN": SRC, "status": "available", "tags": {}, "target": "prod-dr"}
def lock(records=None, **top):
    document = {"lineage": "6f1c9a2e-4b7d-4e3a-9f21-8c5d0b7a3e14", "records": [record] if records is None else records, "serial": 3, "version": 1}
    document.update(top)
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
text = lock()
for i, cut in enumerate([0, 1, 30, len(text) // 2, len(text) - 3]):
    put("lock-files", f"truncated-{i}.lock", text[:cut], "corrupt or truncated")
put("lock-files", "newer-version.lock", lock(version=2), "version 2")
put("lock-files", "version-zero.lock", lock(version=0), "version 0")
put("lock-files", "version-string.lock", lock(version="1"), "\"version\"")
put("lock-files", "no-version.lock", '{"lineage": "x", "records": [], "serial": 1}\n', "\"version\"")
put("lock-files", "duplicate-records.lock", lock([record, dict(record, target="PROD-DR")]), "records[0] and records[1]")
put("lock-files", "serial-string.lock", lock(serial="three"), ".serial")
put("lock-files", "records-object.lock", lock(records={}), ".records")
put("lock-files", "bad-status.lock", lock([dict(record, status="done")]), ".status")
put("lock-files", "bad-policy.lock", lock([dict(record, deletionPolicy="destroy")]), ".deletionPolicy")
put("lock-files", "missing-target.lock", lock([{k: v for k, v in record.items() if k != "target"}]), "target")
put("lock-files", "tags-list.lock", lock([dict(record, tags=["a"])]), ".tags")
put("lock-files", "garbage.lock", "this is not a lock file\n", "corrupt or truncated")
put("lock-files", "array.lock", "[]\n", "\"version\"")
put("lock-files", "invalid-utf8.lock", text.encode().replace(b"prod-dr", b"prod-\xff\xfe"), "corrupt or truncated")

# --- captures --------------------------------------------------------------------------------
snap = {"DBClusterSnapshotIdentifier": "prod-1", "DBClusterSnapshotArn": SRC, "Engine": "neptune", "Status": "available",
        "SnapshotType": "manual", "StorageEncrypted": False, "TagList": []}
def capture(items=None, **top):
    document = {"DBClusterSnapshots": [snap] if items is None else items}
    document.update(top)
    return json.dumps(document)
put("captures", "truncated.json", capture()[:40], ":1:")
put("captures", "empty.json", "", ":1:1")
put("captures", "no-snapshots-key.json", '{"Snapshots": []}', "DBClusterSnapshots")
put("captures", "snapshots-object.json", '{"DBClusterSnapshots": {}}', "DBClusterSnapshots")
put("captures", "root-array.json", "[]", "DBClusterSnapshots")
put("captures", "item-string.json", capture(["prod-1"]), "DBClusterSnapshots[0]")
put("captures", "no-identifier.json", capture([{k: v for k, v in snap.items() if k != "DBClusterSnapshotIdentifier"}]), "DBClusterSnapshots[0]")
put("captures", "no-arn.json", capture([{k: v for k, v in snap.items() if k != "DBClusterSnapshotArn"}]), "DBClusterSnapshots[0]")
put("captures", "bad-arn.json", capture([dict(snap, DBClusterSnapshotArn="arn:aws:rds:us-east-1:123:db:prod-1")]), "DBClusterSnapshotArn")
put("captures", "encrypted-string.json", capture([dict(snap, StorageEncrypted="no")]), "StorageEncrypted")
put("captures", "progress-string.json", capture([dict(snap, PercentProgress="50%")]), "PercentProgress")
put("captures", "status-number.json", capture([dict(snap, Status=1)]), "Status")
put("captures", "bad-create-time.json", capture([dict(snap, SnapshotCreateTime="yesterday")]), "SnapshotCreateTime")
put("captures", "taglist-object.json", capture([dict(snap, TagList={"a": "b"})]), "TagList")
put("captures", "tag-without-key.json", capture([dict(snap, TagList=[{"Value": "b"}])]), "TagList[0]")
put("captures", "bad-region.json", capture(Region="nowhere"), "Region")
put("captures", "bad-captured-at.json", capture(CapturedAt="now"), "CapturedAt")

# --- ignore files ----------------------------------------------------------------------------
ignores = {
    "unknown-kind": "tag-changed us-west-2/tmp-*\n",
    "no-slash": "tmp-*\n",
    "two-slashes": "us-west-2/a/b\n",
    "unclosed-bracket": "us-west-2/tmp-[a\n",
    "stray-bracket": "us-west-2/tmp-]\n",
    "reversed-range": "us-west-2/tmp-[z-a]\n",
    "empty-negation": "!\n",
    "extra-field": "missing us-west-2/a extra\n",
    "empty-region": "/tmp-*\n",
    "kind-only": "missing\n",
    "second-line-bad": "# comment\nus-west-2/ok-*\nunknown-kind us-west-2/x\n",
    "negated-bad-kind": "!replacedd us-west-2/x\n",
}
for name, text in ignores.items():
    line = text.count("\n", 0, text.rfind("\n", 0, len(text) - 1) + 1) + 1 if name == "second-line-bad" else 1
    put("ignore-files", name + ".snapcopyignore", text, f":{line}:")

# --- saved plans (tampered; stale ones are made by the tests) ----------------------------------
put("plans", "future-format.plan", '{"formatVersion": 99, "changes": [], "problems": [], "inputs": {"manifestDigest": "x"}}', "format version")
put("plans", "changes-not-array.plan", '{"formatVersion": 1, "changes": {}, "problems": [], "inputs": {"manifestDigest": "x"}}', "damaged")
put("plans", "bad-action.plan", '{"formatVersion": 1, "changes": [{"action": "explode", "region": "us-west-2", "target": "x", "source": "y", "tagChanges": [], "reasons": [], "dependsOn": []}], "problems": [], "inputs": {"manifestDigest": "x", "manifestPaths": ["m"]}}', "damaged")
put("plans", "no-inputs.plan", '{"formatVersion": 1, "changes": [], "problems": []}', "damaged")
put("plans", "no-manifest-paths.plan", '{"formatVersion": 1, "changes": [], "problems": [], "inputs": {"manifestDigest": "x"}}', "does not name its manifests")
put("plans", "truncated.plan", '{"formatVersion": 1, "changes": [', ":1:")

# --- AWS config and credentials files --------------------------------------------------------
configs = {
    "unclosed-section": ("config", "[profile p\nregion = us-east-1\n", ":1"),
    "key-outside-section": ("config", "region = us-east-1\n[profile p]\n", ":1"),
    "line-without-equals": ("config", "[profile p]\nregion us-east-1\n", ":2"),
    "role-without-source": ("config", "[profile p]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\n", '"p"'),
    "source-profile-missing": ("config", "[profile p]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = nowhere\n", "nowhere"),
    "source-profile-loop": ("config", "[profile p]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = q\n[profile q]\nrole_arn = arn:aws:iam::123456789012:role/s\nsource_profile = p\n", '"p"'),
    "unknown-credential-source": ("config", "[profile p]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Laptop\n", "Laptop"),
    "both-source-profile-and-credential-source": ("config", "[profile p]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = q\ncredential_source = Environment\n[profile q]\n", '"p"'),
    "bad-duration-seconds": ("config", "[profile p]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\nduration_seconds = forever\n", "duration_seconds"),
    "mfa-serial": ("config", "[profile p]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n", "mfa_serial"),
    "sso-incomplete": ("config", "[profile p]\nregion = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\n", '"p"'),
    "sso-session-missing": ("config", "[profile p]\nregion = us-east-1\nsso_session = nowhere\nsso_account_id = 123456789012\nsso_role_name = Admin\n", "nowhere"),
    "credential-process-fails": ("config", "[profile p]\nregion = us-east-1\ncredential_process = /bin/false\n", "credential_process"),
    "credential-process-not-json": ("config", "[profile p]\nregion = us-east-1\ncredential_process = /bin/echo hello\n", "credential_process"),
    "ca-bundle-missing": ("config", "[profile p]\nregion = us-east-1\nca_bundle = /no/such/ca.pem\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n", "ca_bundle"),
    "profile-missing": ("config", "[profile other]\nregion = us-east-1\n", '"p"'),
    "credentials-key-only": ("credentials", "[p]\naws_access_key_id = AKIAEXAMPLE\n", "aws_secret_access_key"),
    "credentials-unclosed": ("credentials", "[p\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n", ":1"),
}
for name, (kind, text, place) in configs.items():
    put("aws-config", f"{name}.{kind}", text, place)

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=2, sort_keys=True)
    f.write("\n")
print(f"{len(expected)} files")
