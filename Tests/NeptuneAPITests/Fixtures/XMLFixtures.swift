/// Response bodies as moto 5.2.1 and the real Neptune/STS APIs return them.
///
/// The `moto*` bodies were captured from `moto_server` (single line, no prolog); the `aws*`
/// bodies follow the documented real format (prolog, indentation, millisecond timestamps).
enum XMLFixtures {
    // MARK: DescribeDBClusterSnapshots

    static let motoDescribe = """
    <DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBClusterSnapshotsResult><DBClusterSnapshots><DBClusterSnapshot><DBClusterSnapshotIdentifier>rds:c1-2026-11-24-22-23</DBClusterSnapshotIdentifier><DBClusterIdentifier>c1</DBClusterIdentifier><SnapshotCreateTime>2026-11-24T22:23:03.958677Z</SnapshotCreateTime><Engine>neptune</Engine><AllocatedStorage>0</AllocatedStorage><Status>available</Status><Port>8182</Port><ClusterCreateTime>2026-11-24T22:23:03.958502Z</ClusterCreateTime><EngineVersion>1.3.2.1</EngineVersion><SnapshotType>automated</SnapshotType><PercentProgress>100</PercentProgress><StorageEncrypted>true</StorageEncrypted><KmsKeyId>default_kms_key_id</KmsKeyId><DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:c1-2026-11-24-22-23</DBClusterSnapshotArn><TagList/></DBClusterSnapshot><DBClusterSnapshot><DBClusterSnapshotIdentifier>s1</DBClusterSnapshotIdentifier><DBClusterIdentifier>c1</DBClusterIdentifier><SnapshotCreateTime>2026-11-24T22:23:03.972897Z</SnapshotCreateTime><Engine>neptune</Engine><AllocatedStorage>0</AllocatedStorage><Status>available</Status><Port>8182</Port><ClusterCreateTime>2026-11-24T22:23:03.958502Z</ClusterCreateTime><EngineVersion>1.3.2.1</EngineVersion><SnapshotType>manual</SnapshotType><PercentProgress>100</PercentProgress><StorageEncrypted>true</StorageEncrypted><KmsKeyId>default_kms_key_id</KmsKeyId><DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s1</DBClusterSnapshotArn><TagList><Tag><Key>team</Key><Value>graph</Value></Tag></TagList></DBClusterSnapshot></DBClusterSnapshots></DescribeDBClusterSnapshotsResult><ResponseMetadata><RequestId>hvjK0XHB2B4vm2T8TnzUdPeeLXyprmQzAHsqjSsSipdfYvQmnZLa</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>
    """

    /// A first page in the real format: every model member, and a `Marker`.
    static let awsDescribePage1 = """
    <?xml version="1.0" encoding="UTF-8"?>
    <DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
      <DescribeDBClusterSnapshotsResult>
        <Marker>page-2-token==</Marker>
        <DBClusterSnapshots>
          <DBClusterSnapshot>
            <AvailabilityZones>
              <AvailabilityZone>us-east-1a</AvailabilityZone>
              <AvailabilityZone>us-east-1b</AvailabilityZone>
              <AvailabilityZone>us-east-1c</AvailabilityZone>
            </AvailabilityZones>
            <DBClusterSnapshotIdentifier>nightly-copy-2024-05-01</DBClusterSnapshotIdentifier>
            <DBClusterIdentifier>graph-prod</DBClusterIdentifier>
            <SnapshotCreateTime>2024-05-01T03:10:11.123Z</SnapshotCreateTime>
            <Engine>neptune</Engine>
            <AllocatedStorage>1</AllocatedStorage>
            <Status>copying</Status>
            <Port>8182</Port>
            <VpcId>vpc-0abc1234</VpcId>
            <ClusterCreateTime>2023-01-15T08:00:00Z</ClusterCreateTime>
            <MasterUsername>admin</MasterUsername>
            <EngineVersion>1.2.1.0</EngineVersion>
            <LicenseModel>amazon-license</LicenseModel>
            <SnapshotType>manual</SnapshotType>
            <PercentProgress>42</PercentProgress>
            <StorageEncrypted>true</StorageEncrypted>
            <KmsKeyId>arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab</KmsKeyId>
            <DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:nightly-copy-2024-05-01</DBClusterSnapshotArn>
            <SourceDBClusterSnapshotArn>arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:rds:graph-prod-2024-05-01-03-00</SourceDBClusterSnapshotArn>
            <IAMDatabaseAuthenticationEnabled>false</IAMDatabaseAuthenticationEnabled>
            <StorageType>aurora</StorageType>
          </DBClusterSnapshot>
        </DBClusterSnapshots>
      </DescribeDBClusterSnapshotsResult>
      <ResponseMetadata>
        <RequestId>5e1fae9b-8d7c-4a0b-9d3e-0f1a2b3c4d5e</RequestId>
      </ResponseMetadata>
    </DescribeDBClusterSnapshotsResponse>
    """

    /// The last page: no `Marker`, nanosecond timestamps with an offset.
    static let awsDescribePage2 = """
    <?xml version="1.0" encoding="UTF-8"?>
    <DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
      <DescribeDBClusterSnapshotsResult>
        <DBClusterSnapshots>
          <DBClusterSnapshot>
            <AvailabilityZones/>
            <DBClusterSnapshotIdentifier>rds:graph-prod-2024-05-01-03-00</DBClusterSnapshotIdentifier>
            <DBClusterIdentifier>graph-prod</DBClusterIdentifier>
            <SnapshotCreateTime>2024-05-01T05:00:00.123456789+02:00</SnapshotCreateTime>
            <Status>available</Status>
            <SnapshotType>automated</SnapshotType>
            <PercentProgress>100</PercentProgress>
            <StorageEncrypted>false</StorageEncrypted>
            <DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:rds:graph-prod-2024-05-01-03-00</DBClusterSnapshotArn>
            <IAMDatabaseAuthenticationEnabled>true</IAMDatabaseAuthenticationEnabled>
          </DBClusterSnapshot>
        </DBClusterSnapshots>
      </DescribeDBClusterSnapshotsResult>
      <ResponseMetadata>
        <RequestId>6f2a0bac-9e8d-4b1c-8e4f-1a2b3c4d5e6f</RequestId>
      </ResponseMetadata>
    </DescribeDBClusterSnapshotsResponse>
    """

    static let describeEmpty = """
    <DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBClusterSnapshotsResult><DBClusterSnapshots/></DescribeDBClusterSnapshotsResult><ResponseMetadata><RequestId>r-empty</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>
    """

    /// One snapshot described by identifier (what the copy verification receives).
    static func describeOne(_ identifier: String, status: String = "creating", sourceARN: String? = nil) -> String {
        let source = sourceARN.map { "<SourceDBClusterSnapshotArn>\($0)</SourceDBClusterSnapshotArn>" } ?? ""
        return """
        <DescribeDBClusterSnapshotsResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBClusterSnapshotsResult><DBClusterSnapshots><DBClusterSnapshot><DBClusterSnapshotIdentifier>\(identifier)</DBClusterSnapshotIdentifier><Status>\(status)</Status>\(source)<DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:\(identifier)</DBClusterSnapshotArn></DBClusterSnapshot></DBClusterSnapshots></DescribeDBClusterSnapshotsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeDBClusterSnapshotsResponse>
        """
    }

    // MARK: Tags

    static let motoListTags = """
    <ListTagsForResourceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ListTagsForResourceResult><TagList><Tag><Key>k</Key><Value>v</Value></Tag></TagList></ListTagsForResourceResult><ResponseMetadata><RequestId>0pCubE8kdV2nR9YSRtGsTKvPl1wz8NbGG1qXslXzdAVTyzTDzIR1</RequestId></ResponseMetadata></ListTagsForResourceResponse>
    """

    /// Escaped characters, a value with spaces kept, an empty value, a missing value.
    static let awsListTags = """
    <ListTagsForResourceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
      <ListTagsForResourceResult>
        <TagList>
          <Tag>
            <Key>owner</Key>
            <Value>graph &amp; search &lt;team&gt;</Value>
          </Tag>
          <Tag>
            <Key>note</Key>
            <Value>  padded value  </Value>
          </Tag>
          <Tag>
            <Key>empty</Key>
            <Value></Value>
          </Tag>
          <Tag>
            <Key>absent</Key>
          </Tag>
          <Tag>
            <Key>unicode</Key>
            <Value>caf\u{e9} \u{65e5}\u{672c}</Value>
          </Tag>
        </TagList>
      </ListTagsForResourceResult>
      <ResponseMetadata>
        <RequestId>d4f3c2b1-0000-4000-8000-000000000001</RequestId>
      </ResponseMetadata>
    </ListTagsForResourceResponse>
    """

    static let listTagsEmpty = """
    <ListTagsForResourceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ListTagsForResourceResult><TagList/></ListTagsForResourceResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></ListTagsForResourceResponse>
    """

    static let motoAddTags = """
    <AddTagsToResourceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ResponseMetadata><RequestId>jIq6OP76GuiCHB2FFrPto2unuCJD0GLRTWs8Hm4BZsdcxadJPZTf</RequestId></ResponseMetadata></AddTagsToResourceResponse>
    """

    static let motoRemoveTags = """
    <RemoveTagsFromResourceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ResponseMetadata><RequestId>mCNOsZ6lUYm7dGyn9KSm18qY9Ovw7Amd91lxcJwhMikbI32kaAO9</RequestId></ResponseMetadata></RemoveTagsFromResourceResponse>
    """

    // MARK: Copy and delete

    static let motoCopy = """
    <CopyDBClusterSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><CopyDBClusterSnapshotResult><DBClusterSnapshot><DBClusterSnapshotIdentifier>s2</DBClusterSnapshotIdentifier><DBClusterIdentifier>c1</DBClusterIdentifier><SnapshotCreateTime>2026-11-24T22:23:11.238836Z</SnapshotCreateTime><Engine>neptune</Engine><AllocatedStorage>0</AllocatedStorage><Status>available</Status><Port>8182</Port><ClusterCreateTime>2026-11-24T22:23:03.958502Z</ClusterCreateTime><EngineVersion>1.3.2.1</EngineVersion><SnapshotType>manual</SnapshotType><PercentProgress>100</PercentProgress><StorageEncrypted>true</StorageEncrypted><KmsKeyId>default_kms_key_id</KmsKeyId><DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s2</DBClusterSnapshotArn><TagList><Tag><Key>k</Key><Value>v</Value></Tag></TagList></DBClusterSnapshot></CopyDBClusterSnapshotResult><ResponseMetadata><RequestId>kLjcPAJa52e7uFUXHAAtMmv7Q7n6SoqKASvo2RlODtHZoBNTUpTn</RequestId></ResponseMetadata></CopyDBClusterSnapshotResponse>
    """

    static let motoDelete = """
    <DeleteDBClusterSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DeleteDBClusterSnapshotResult><DBClusterSnapshot><DBClusterSnapshotIdentifier>s2</DBClusterSnapshotIdentifier><DBClusterIdentifier>c1</DBClusterIdentifier><SnapshotCreateTime>2026-11-24T22:23:11.238836Z</SnapshotCreateTime><Engine>neptune</Engine><AllocatedStorage>0</AllocatedStorage><Status>available</Status><Port>8182</Port><ClusterCreateTime>2026-11-24T22:23:03.958502Z</ClusterCreateTime><EngineVersion>1.3.2.1</EngineVersion><SnapshotType>manual</SnapshotType><PercentProgress>100</PercentProgress><StorageEncrypted>true</StorageEncrypted><KmsKeyId>default_kms_key_id</KmsKeyId><DBClusterSnapshotArn>arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s2</DBClusterSnapshotArn><TagList><Tag><Key>x</Key><Value>y</Value></Tag></TagList></DBClusterSnapshot></DeleteDBClusterSnapshotResult><ResponseMetadata><RequestId>p2wjC8dR7pL3gY3ywRCKM56fYqv14reFijtqumd3k2HDVljmijY6</RequestId></ResponseMetadata></DeleteDBClusterSnapshotResponse>
    """

    // MARK: STS

    static let motoAssumeRole = """
    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIATHPL2AOHBKGXZZZ2</AccessKeyId><SecretAccessKey>ey/CSQLC+ptIACbzN544G2LxVBFBEDUecIiiPzBj</SecretAccessKey><SessionToken>FQoGZXIvYXdzEBYaDaPQ+YZByA06fbXx/DFEnkclgn5x48NbebbaXk/ndmnWldKvhqgCEwYPe4wIa+rJe9W9ZDDr4ibE4WJct64reowbhPdSywYT0bsvuuGmx0jiVL43nVBKrt/0v/jIISZsplUEJT7pqVaqR8TrbpZuvBxR/4snGYwxT5FIqs7sNbgLs2lX4ma9PBEhqUKII+iaIKTdHu4em0s5Jdr70x1T2Wqo3BY1EffstVHSzrAcXWpHu1eaA36Xm13L0PFSoaRWHNo8yIeVLYNNYFZ7SbqPrerWgaNHyhQN0Ef4ZIzDBV50wgvl2nN+Gcs5Vkjgx5Ka8XD4Haps5XoYbM4IQdI=</SessionToken><Expiration>2026-11-24T23:23:16.748232Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA3X42LBCD9YTSVFINY:snapcopy</AssumedRoleId><Arn>arn:aws:sts::222222222222:assumed-role/copier/snapcopy</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>E8aI2Aub7tRm5t4ctt5fFMv8RWzLAHYpBdn8vxVlgVAjmhauiQCT</RequestId></ResponseMetadata></AssumeRoleResponse>
    """

    static let motoAssumeRoleWithWebIdentity = """
    <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIATHPL2AOHAYKV2TXP</AccessKeyId><SecretAccessKey>0+eRkuz3qxl4ar7m7qJ+KMNDhGKYmv+OWANSJIgw</SecretAccessKey><SessionToken>FQoGZXIvYXdzEBYaDLjb3tsdngvPKzZM0</SessionToken><Expiration>2026-11-24T23:23:16.762327Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>ARO123EXAMPLE123:s</AssumedRoleId><Arn>arn:aws:sts::222222222222:assumed-role/web/s</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>FmSkEzPM5Clnet98hpbFIekAARkK0cTD7G03Qjygv4JgWr7bq7DK</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>
    """

    /// An `AssumeRole` answer with chosen keys and expiry (for cache tests).
    static func assumeRole(accessKeyID: String, expiration: String) -> String {
        """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>\(accessKeyID)</AccessKeyId><SecretAccessKey>secret-\(accessKeyID)</SecretAccessKey><SessionToken>token-\(accessKeyID)</SessionToken><Expiration>\(expiration)</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::222222222222:assumed-role/r/s</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>
        """
    }

    // MARK: Errors

    static let motoNotFound = """
    <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>DBClusterSnapshotNotFoundFault</Code><Message>DBClusterSnapshot nope not found.</Message></Error><RequestId>0bsOdahwOyxJFKhYGiAqia4CRREY1oglCcO0qZ3YdA4sNYDfHZxc</RequestId></ErrorResponse>
    """

    static let motoAlreadyExists = """
    <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>DBClusterSnapshotAlreadyExistsFault</Code><Message>Cannot create the snapshot because a snapshot with the identifier s2 already exists.</Message></Error><RequestId>z9xLdWS12aQLjVm4s0XxsaPAcMs3dgcvEFN3L2WNQOr3GUklPS0x</RequestId></ErrorResponse>
    """

    static let awsThrottling = """
    <?xml version="1.0" encoding="UTF-8"?>
    <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
      <Error>
        <Type>Sender</Type>
        <Code>Throttling</Code>
        <Message>Rate exceeded</Message>
      </Error>
      <RequestId>7a1b2c3d-0000-4000-8000-00000000000a</RequestId>
    </ErrorResponse>
    """

    static let awsSTSAccessDenied = """
    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <Error>
        <Type>Sender</Type>
        <Code>AccessDenied</Code>
        <Message>User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/copier</Message>
      </Error>
      <RequestId>8b2c3d4e-0000-4000-8000-00000000000b</RequestId>
    </ErrorResponse>
    """

    /// An EC2-style error document (`<Response><Errors>` and `RequestID`).
    static let ec2StyleError = """
    <?xml version="1.0" encoding="UTF-8"?>
    <Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>ec2-req-1</RequestID></Response>
    """

    static func error(_ code: String, message: String = "message", type: String = "Sender") -> String {
        """
        <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>\(type)</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>req-\(code)</RequestId></ErrorResponse>
        """
    }

    static let motoHTML500 = """
    <!doctype html>
    <html lang=en>
    <title>500 Internal Server Error</title>
    <h1>Internal Server Error</h1>
    <p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>
    """

    static let proxyError = "502 Bad Gateway\r\nupstream connect error or disconnect/reset before headers\u{1b}[0m\u{0}"
}
