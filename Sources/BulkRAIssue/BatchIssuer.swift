import BulkRAModel
import BulkRAValidate
import Foundation
import Logging

/// Issues every issue and renew line of a batch: serials, service-made keys, signatures and
/// PKCS#12 bundles, on all cores (ISS-12..ISS-15, Specs/issuance.md).
///
/// Pure: the clock, the serial and secret sources, the key source and the CA keys are passed in.
public struct BatchIssuer: Sendable {
    /// Settings of one submission.
    public struct Options: Sendable {
        /// The kind of key the service makes for client lines (methods 1 and 2).
        public var keyKind: ServiceKeyKind
        /// The PKCS#12 encoding.
        public var pkcs12Format: PKCS12Bundle.Format
        /// RET-03: how long enrolment URLs stay usable (the institution's retrieval window).
        public var retrievalWindow: RetrievalWindow

        /// Creates options (RSA-2048 keys, modern PKCS#12 and one month by default).
        public init(keyKind: ServiceKeyKind = .rsa2048, pkcs12Format: PKCS12Bundle.Format = .modern, retrievalWindow: RetrievalWindow = .oneMonth) {
            self.keyKind = keyKind
            self.pkcs12Format = pkcs12Format
            self.retrievalWindow = retrievalWindow
        }
    }

    let issuers: [AuthorityRole: CertificateIssuer]
    let serials: SerialNumberGenerator
    let secrets: SecretGenerator
    let keys: any KeyPairSource
    let options: Options
    let logger: Logger

    /// Creates a batch issuer over the issuing CAs it may need.
    public init(authorities: [IssuingAuthority], serials: SerialNumberGenerator, secrets: SecretGenerator, keys: any KeyPairSource,
                options: Options = Options(), validity: ValidityPolicy = ValidityPolicy(), logger: Logger = Logger(label: "bulkra.issue")) {
        var issuers: [AuthorityRole: CertificateIssuer] = [:]
        for authority in authorities {
            issuers[authority.role] = CertificateIssuer(authority: authority, serials: serials, validity: validity, logger: logger)
        }
        self.issuers = issuers
        self.serials = serials
        self.secrets = secrets
        self.keys = keys
        self.options = options
        self.logger = logger
    }

    /// The work of one line, decided before the parallel part (ISS-12, ISS-15).
    enum Job: Sendable {
        /// Sign the CSR's key under the serial (server and code-signing lines).
        case sign(CertificateRequest, SerialNumber)
        /// Make a key, sign it and bundle it under the PIN (client methods 1 and 2).
        case serviceKey(CertificateRequest, ClientApplication, SerialNumber, DeliveryPIN)
        /// A method-3 line: an enrolment token, no certificate yet.
        case enrolment(CertificateRequest, ClientApplication, token: String)

        var role: AuthorityRole {
            switch self {
            case .sign(let request, _), .serviceKey(let request, _, _, _), .enrolment(let request, _, _): return AuthorityRole(request.family)
            }
        }
    }

    enum Done: Sendable {
        case certificate(IssuedCertificate)
        case delivery(ClientDelivery)
        case enrolment(PendingEnrolment)
    }

    /// Issues `requests` (issue and renew lines; others are ignored). `takenSerials` asks the
    /// registry which of some candidate serials exist already (one query per batch); `progress` is called on the calling thread with (done, total) as chunks finish.
    /// Throws an `OperationalError` when a CA is missing or signing fails: then nothing is returned.
    public func issue(_ requests: [CertificateRequest], now: Date, takenSerials: ([SerialNumber]) throws -> Set<SerialNumber>,
                      progress: ((Int, Int) -> Void)? = nil) throws -> IssuedBatch {
        // ISS-12, ISS-15: client lines with methods 1 and 2 get a service-made key and a PIN, method 3 an enrolment
        // token and no serial yet; other lines are signed from their CSR. Revocation lines are not issued.
        var applications: [(CertificateRequest, CertificateApplication)] = []
        applications.reserveCapacity(requests.count)
        for request in requests {
            guard let application = request.application else { continue }
            let role = AuthorityRole(request.family)
            guard issuers[role] != nil else {
                throw OperationalError(.notFound, LocalizedText(ja: "発行CAがありません（\(role.rawValue)）",
                                                                en: "No issuing CA for role \(role.rawValue)"))
            }
            applications.append((request, application))
        }
        let needing = applications.filter { if case .client(let client) = $0.1 { client.downloadMethod.makesKey } else { true } }.count
        var fresh = try serials.unused(needing, takenSerials: takenSerials).makeIterator()
        var jobs: [Job] = []
        jobs.reserveCapacity(applications.count)
        var makesKeys = false
        for (request, application) in applications {
            switch application {
            case .server, .codeSigning:
                jobs.append(.sign(request, fresh.next()!))
            case .client(let client) where client.downloadMethod.makesKey:
                let pin = client.accessPIN.map { DeliveryPIN(secret: $0.secret, generated: false) } ?? secrets.accessPIN()
                makesKeys = true
                jobs.append(.serviceKey(request, client, fresh.next()!, pin))
            case .client(let client):
                jobs.append(.enrolment(request, client, token: secrets.token()))
            }
        }

        let expires = options.retrievalWindow.expiry(after: now)
        var certificates: [IssuedCertificate] = []
        var deliveries: [ClientDelivery] = []
        var enrolments: [PendingEnrolment] = []
        certificates.reserveCapacity(jobs.count)
        // Lines whose keys the service makes take ~50 ms each: small chunks keep both cores busy and let the
        // caller show progress between them. Lines with a CSR go in one parallel pass.
        let chunk = makesKeys ? 16 : max(jobs.count, 1)
        let work = jobs
        var start = 0
        while start < work.count {
            let offset = start
            let count = min(chunk, work.count - start)
            // PERF-95: the chunk's lines in groups, each run on one core, its CSR lines signed together.
            let size = makesKeys ? 1 : Self.groupSize(count)
            var results = parallelMap((count + size - 1) / size) { group in
                Result { try self.run(work[(offset + group * size)..<(offset + min(count, (group + 1) * size))], now: now, expires: expires) }
            }
            // PERF-87: each result is moved out of the chunk's array into the batch's, in line order — not copied (a copy
            // retained every value a certificate holds, and freeing the array released them all again).
            results.reverse()
            while let result = results.popLast() {
                var group = try result.get()
                group.reverse()
                while let done = group.popLast() {
                    switch done {
                    case .certificate(let issued): certificates.append(issued)
                    case .delivery(let delivery):
                        certificates.append(delivery.issued)
                        deliveries.append(delivery)
                    case .enrolment(let enrolment): enrolments.append(enrolment)
                    }
                }
            }
            start += count
            progress?(start, work.count)
        }

        logger.debug("issue.batch", metadata: ["issue.certificates": "\(certificates.count)", "issue.deliveries": "\(deliveries.count)",
                                               "issue.enrolments": "\(enrolments.count)"])
        return IssuedBatch(certificates: certificates, deliveries: deliveries, enrolments: enrolments)
    }

    /// PERF-95: lines in a group: enough for a batch signature's shared inversions to pay (up to 256), few enough that every
    /// core gets two groups or more.
    static func groupSize(_ lines: Int) -> Int {
        let perCore = (lines + 2 * CoreShare.cores - 1) / (2 * CoreShare.cores)
        return min(256, max(2 * BatchSigner.smallest, perCore))
    }

    /// PERF-95: a group's jobs in order; consecutive lines signed from CSRs by one CA are signed together.
    func run(_ jobs: ArraySlice<Job>, now: Date, expires: Date) throws -> [Done] {
        var done: [Done] = []
        done.reserveCapacity(jobs.count)
        var signing: [(request: CertificateRequest, serial: SerialNumber)] = []
        var role: AuthorityRole?
        func flush() throws {
            guard let current = role, !signing.isEmpty else { return }
            done += try issuers[current]!.issue(signing, now: now).map(Done.certificate)
            signing.removeAll(keepingCapacity: true)
        }
        for job in jobs {
            switch job {
            case .sign(let request, let serial):
                if role != job.role { try flush() }
                role = job.role
                signing.append((request, serial))
            case .enrolment(let request, let client, let token):
                try flush()
                done.append(.enrolment(PendingEnrolment(application: client, replacedSerial: request.replacedSerial, token: token,
                                                        expires: expires)))
            case .serviceKey(let request, let client, let serial, let pin):
                try flush()
                done.append(try delivery(request, client, serial: serial, pin: pin, now: now))
            }
        }
        try flush()
        return done
    }

    /// ISS-12..ISS-14: a client line's service-made key, its certificate and the PKCS#12 bundle under its PIN.
    func delivery(_ request: CertificateRequest, _ client: ClientApplication, serial: SerialNumber, pin: DeliveryPIN,
                  now: Date) throws -> Done {
        let key = try keys.makeKeyPair(options.keyKind)
        let issued = try issuers[AuthorityRole(request.family)]!.issue(request, now: now, publicKey: key.publicKey, serial: serial)
        let bundle = try PKCS12Bundle(privateKeyDER: key.privateKeyDER, certificateDER: issued.der, chainDER: issued.chainDER,
                                      friendlyName: client.pkcs12Name(serial: serial), passphrase: pin.secret,
                                      format: options.pkcs12Format)
        return .delivery(ClientDelivery(issued: issued, application: client, pkcs12: bundle, pin: pin))
    }

    /// One calendar month later (UTC): how long PIN, download and enrolment links live.
    public static func oneMonth(after date: Date) -> Date {
        UTCTimestamp.calendar.date(byAdding: .month, value: 1, to: date)!
    }
}

extension BatchIssuer {
    /// Issues RA certificates (profile 1) with service-made keys for officers just added, each in a
    /// PKCS#12 bundle under a generated PIN (ISS-16). `organization` maps an institution ID to its English name.
    public func issueOfficers(_ officers: [KnownOfficer], organization: (String) -> String, now: Date,
                              takenSerials: ([SerialNumber]) throws -> Set<SerialNumber>) throws -> [OfficerDelivery] {
        guard let issuer = issuers[.registrationOfficer] else {
            throw OperationalError(.notFound, LocalizedText(ja: "RA証明書の発行CAがありません", en: "No issuing CA for RA certificates"))
        }
        var fresh = try serials.unused(officers.count, takenSerials: takenSerials).makeIterator()
        var jobs: [(KnownOfficer, String, SerialNumber, DeliveryPIN)] = []
        for officer in officers {
            let serial = fresh.next()!
            jobs.append((officer, organization(officer.institutionID), serial, secrets.accessPIN()))
        }
        let results = parallelMap(jobs) { job in
            Result { () throws -> OfficerDelivery in
                let (officer, organization, serial, pin) = job
                let key = try keys.makeKeyPair(options.keyKind)
                let made = try issuer.issueOfficer(romaji: officer.romaji, email: officer.email, organization: organization, now: now,
                                                   publicKey: key.publicKey, serial: serial)
                let bundle = try PKCS12Bundle(privateKeyDER: key.privateKeyDER, certificate: made.certificate,
                                              chain: [issuer.authority.certificate] + issuer.authority.chain,
                                              friendlyName: "BulkRA RA " + officer.romaji, passphrase: pin.secret, format: options.pkcs12Format)
                return OfficerDelivery(officer: officer, organization: organization, serial: serial, certificate: made.certificate, der: made.der,
                                       keyDigest: KeyDigest.of(publicKeyBits: key.publicKey.subjectPublicKeyInfoBytes), pkcs12: bundle, pin: pin)
            }
        }
        return try results.map { try $0.get() }
    }
}
