/// Vectors generated with botocore 1.43.11 (the reference implementation) at the
/// fixed time 2024-05-01T12:34:56Z, with the SigV4 test-suite keys. They are checked in so
/// the tests never depend on Python; `BotocoreLiveTests` re-derives them when python3 with
/// botocore is available. To regenerate, run ``script`` with python3 and paste the JSON
/// values it prints.
enum BotocoreVectors {
    /// `urlencode([("Tags.Tag.1.Value", tricky)])`, what botocore sends as the body.
    static let formEncodedTricky = "Tags.Tag.1.Value=a+b%2Bc%2Fd%3De%26f~g%2Ah%C3%A9%E2%98%83%E6%97%A5%E6%9C%AC%27%21%28%29"

    /// `describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="my-snap", SnapshotType="manual",
    /// MaxRecords=100, IncludeShared=True)` in us-east-1, no session token.
    static let describeBody = "Action=DescribeDBClusterSnapshots&Version=2014-10-31&DBClusterSnapshotIdentifier=my-snap&SnapshotType=manual&MaxRecords=100&IncludeShared=true"
    static let describeAuthorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/rds/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=9141b9ddaafd8e342a31b26dc019d76d2c83920435c03d4fc977f86d88003ee4"

    /// `copy_db_cluster_snapshot(..., SourceRegion="us-east-1")` from a us-west-2 client with
    /// session token `session/token+=`: the full body (with the injected `PreSignedUrl`), its
    /// signature, and the pre-signed URL alone.
    static let copyBody = "Action=CopyDBClusterSnapshot&Version=2014-10-31&SourceDBClusterSnapshotIdentifier=arn%3Aaws%3Ards%3Aus-east-1%3A123456789012%3Acluster-snapshot%3Asrc+snap&TargetDBClusterSnapshotIdentifier=dst-copy&KmsKeyId=alias%2Fmy+key&CopyTags=true&Tags.Tag.1.Key=team&Tags.Tag.1.Value=a+b%2Bc%2Fd%3De%26f~g%2Ah%C3%A9%E2%98%83%E6%97%A5%E6%9C%AC%27%21%28%29&PreSignedUrl=https%3A%2F%2Frds.us-east-1.amazonaws.com%2F%3FAction%3DCopyDBClusterSnapshot%26Version%3D2014-10-31%26SourceDBClusterSnapshotIdentifier%3Darn%253Aaws%253Ards%253Aus-east-1%253A123456789012%253Acluster-snapshot%253Asrc%2520snap%26TargetDBClusterSnapshotIdentifier%3Ddst-copy%26KmsKeyId%3Dalias%252Fmy%2520key%26CopyTags%3Dtrue%26Tags.Tag.1.Key%3Dteam%26Tags.Tag.1.Value%3Da%2520b%252Bc%252Fd%253De%2526f~g%252Ah%25C3%25A9%25E2%2598%2583%25E6%2597%25A5%25E6%259C%25AC%2527%2521%2528%2529%26DestinationRegion%3Dus-west-2%26X-Amz-Algorithm%3DAWS4-HMAC-SHA256%26X-Amz-Credential%3DAKIDEXAMPLE%252F20240501%252Fus-east-1%252Frds%252Faws4_request%26X-Amz-Date%3D20240501T123456Z%26X-Amz-Expires%3D3600%26X-Amz-SignedHeaders%3Dhost%26X-Amz-Security-Token%3Dsession%252Ftoken%252B%253D%26X-Amz-Signature%3Db39e36409e8f5d8f84d19fba2e71078581e3f3b084eadc6d7a5b503756ec027f"
    static let copyAuthorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-west-2/rds/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=d4c27afaead6cbf6685f195a10746ab1996702ec3762227eb25f05c6ff2c1b39"
    static let copyPresignedURL = "https://rds.us-east-1.amazonaws.com/?Action=CopyDBClusterSnapshot&Version=2014-10-31&SourceDBClusterSnapshotIdentifier=arn%3Aaws%3Ards%3Aus-east-1%3A123456789012%3Acluster-snapshot%3Asrc%20snap&TargetDBClusterSnapshotIdentifier=dst-copy&KmsKeyId=alias%2Fmy%20key&CopyTags=true&Tags.Tag.1.Key=team&Tags.Tag.1.Value=a%20b%2Bc%2Fd%3De%26f~g%2Ah%C3%A9%E2%98%83%E6%97%A5%E6%9C%AC%27%21%28%29&DestinationRegion=us-west-2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240501%2Fus-east-1%2Frds%2Faws4_request&X-Amz-Date=20240501T123456Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Security-Token=session%2Ftoken%2B%3D&X-Amz-Signature=b39e36409e8f5d8f84d19fba2e71078581e3f3b084eadc6d7a5b503756ec027f"

    /// The content type botocore sends (and signs) for Query requests.
    static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// The Python program that produced the values above (run by `BotocoreLiveTests`).
    static let script = #"""
import datetime, json, sys
from urllib.parse import urlencode, parse_qsl
try:
    import botocore, botocore.auth, botocore.session
    from botocore.awsrequest import AWSResponse
except ImportError:
    print(json.dumps({"error": "botocore missing"})); sys.exit(3)

FIXED = datetime.datetime(2024, 5, 1, 12, 34, 56)
botocore.auth.get_current_datetime = lambda *a, **k: FIXED
TRICKY = "a b+c/d=e&f~g*h\u00e9\u2603\u65e5\u672c'!()"

class _Raw:
    def __init__(self, b): self.b = b
    def stream(self, **k): yield self.b

def capture(service, region, token, call):
    s = botocore.session.Session()
    s.set_credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', token)
    c = s.create_client(service, region_name=region)
    seen = []
    def before_send(request, **kw):
        seen.append(request)
        op = kw['event_name'].split('.')[-1]
        body = ('<%sResponse><%sResult></%sResult></%sResponse>' % (op, op, op, op)).encode()
        return AWSResponse(request.url, 200, {}, _Raw(body))
    c.meta.events.register('before-send', before_send)
    try:
        call(c)
    except Exception:
        pass
    r = seen[0]
    body = r.body.decode() if isinstance(r.body, bytes) else r.body
    h = lambda k: r.headers[k].decode() if isinstance(r.headers[k], bytes) else r.headers[k]
    return {"url": r.url, "body": body, "authorization": h('Authorization'),
            "contentType": h('Content-Type'), "amzDate": h('X-Amz-Date')}

out = {"botocore": botocore.__version__}
out["formEncodedTricky"] = urlencode([("Tags.Tag.1.Value", TRICKY)])
out["describe"] = capture('neptune', 'us-east-1', None, lambda c: c.describe_db_cluster_snapshots(
    DBClusterSnapshotIdentifier='my-snap', SnapshotType='manual', MaxRecords=100, IncludeShared=True))
copy = capture('neptune', 'us-west-2', 'session/token+=', lambda c: c.copy_db_cluster_snapshot(
    SourceDBClusterSnapshotIdentifier='arn:aws:rds:us-east-1:123456789012:cluster-snapshot:src snap',
    TargetDBClusterSnapshotIdentifier='dst-copy', KmsKeyId='alias/my key', CopyTags=True,
    Tags=[{'Key': 'team', 'Value': TRICKY}], SourceRegion='us-east-1'))
out["copy"] = copy
out["copyPresignedUrl"] = dict(parse_qsl(copy["body"], keep_blank_values=True))["PreSignedUrl"]
print(json.dumps(out, indent=1, ensure_ascii=True))
"""#
}
