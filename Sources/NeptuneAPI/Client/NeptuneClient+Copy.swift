import Foundation

extension NeptuneClient {
    /// Copies a snapshot and returns the new one.
    ///
    /// Cross-region: when `request.sourceRegion` differs from this client's region and no
    /// pre-signed URL was given, one is built as botocore's `inject_presigned_url_rds` does,
    /// with this client's credentials (see ``makePresignedCopyURL(for:sourceRegion:at:)``).
    ///
    /// The operation is not idempotent, so it is never retried blindly: after a timeout,
    /// dropped connection or 5xx the target identifier is described first and, if the
    /// snapshot exists, returned as the result. A `DBClusterSnapshotAlreadyExistsFault` on a
    /// retry means an earlier attempt worked: the target is described and returned.
    /// Throttling (the request was not processed) is retried as usual.
    public func copyDBClusterSnapshot(_ request: CopyDBClusterSnapshotRequest) async throws -> DBClusterSnapshot {
        let action = NeptuneOperation.copyDBClusterSnapshot.rawValue
        var parameters = request.operationParameters
        if let url = request.preSignedURL {
            parameters.append(("PreSignedUrl", url.unredactedValue))
        } else if let sourceRegion = request.sourceRegion, sourceRegion != region {
            let credentials = try await engine.credentials?.credentials()
            guard let credentials else {
                throw CredentialsError(kind: .invalidConfiguration, message: "A cross-region copy needs credentials to pre-sign the source request.")
            }
            let url = makePresignedCopyURL(for: request, sourceRegion: sourceRegion, credentials: credentials, at: engine.configuration.now())
            parameters.append(("PreSignedUrl", url.unredactedValue))
        }
        let finalParameters = parameters
        let verify: () async throws -> DBClusterSnapshot? = {
            try await existingCopy(of: request)
        }
        return try await engine.withRetries(action: action, idempotent: NeptuneOperation.copyDBClusterSnapshot.isIdempotent, verify: verify) { attempt in
            do {
                let result = try await engine.send(action, finalParameters, attempt: attempt)
                return try snapshot(in: result, action: action, named: request.targetIdentifier)
            } catch let error as NeptuneAPIError where error.code == .dbClusterSnapshotAlreadyExists && attempt > 1 {
                if let existing = try await existingCopy(of: request) { return existing }
                throw error
            }
        }
    }

    /// The pre-signed `CopyDBClusterSnapshot` URL for the source region, as botocore builds it:
    /// the operation's parameters plus `DestinationRegion`, signed for `rds` in the source
    /// region as a `GET` to the source endpoint (this endpoint with the region replaced),
    /// valid for 3600 s.
    public func makePresignedCopyURL(for request: CopyDBClusterSnapshotRequest, sourceRegion: String, credentials: Credentials, at date: Date) -> PresignedURL {
        let parameters = [("Action", NeptuneOperation.copyDBClusterSnapshot.rawValue), ("Version", NeptuneAPI.apiVersion)]
            + request.operationParameters
            + [("DestinationRegion", region)]
        let sourceEndpoint = URL(string: endpoint.absoluteString.replacingOccurrences(of: region, with: sourceRegion)) ?? endpoint
        let signer = SigV4(credentials: credentials, region: sourceRegion, service: NeptuneAPI.signingName)
        return signer.presign(endpoint: sourceEndpoint, parameters: parameters, at: date, expires: SigV4.defaultPresignExpiry)
    }

    /// The target snapshot if it exists and could be this request's copy.
    ///
    /// A target whose recorded source ARN differs from an ARN given as source is someone
    /// else's snapshot and is not treated as ours.
    func existingCopy(of request: CopyDBClusterSnapshotRequest) async throws -> DBClusterSnapshot? {
        guard let existing = try await describeDBClusterSnapshot(identifier: request.targetIdentifier) else { return nil }
        if request.sourceIdentifier.hasPrefix("arn:"), let source = existing.sourceDBClusterSnapshotARN, !source.isEmpty,
           source.lowercased() != request.sourceIdentifier.lowercased() {
            return nil
        }
        return existing
    }
}
