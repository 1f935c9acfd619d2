// swift-tools-version: 6.1
// BulkRA — bulk certificate registration for institutions (UPKI-style TSV uploads).
//
// Pipeline stages are separate targets joined by typed records; imports point upstream only:
//   BulkRAModel (shared vocabulary: result codes, diagnostics, serials)
//     -> BulkRAWorkbook (.xlsx containers: ZIP with limits, worksheets streamed through libxml2; pure)
//     -> BulkRADecode   (bytes -> typed rows)
//     -> BulkRAValidate (rows -> accepted requests + diagnostics; declares ValidationDirectory; C glue CBulkRAP384)
//     -> BulkRAIssue    (requests -> signed certificates, keys, PKCS#12, CRLs; C glue CBulkRAOpenSSL)
//     -> BulkRARegistry (record: SQLite registry, implements ValidationDirectory; consumer protocols)
//     -> BulkRAPostgres (the same registry statements on PostgreSQL through postgres-nio)
//     -> BulkRAReport   (results, delivery files, mails, downloads; imports Issue's and Registry's records)
//     -> BulkRAService  (the pipeline: submissions, outbox deliveries, CAs, doctor; what the CLI and the desk call)
//     -> BulkRADesk     (the web desk: Hummingbird application, TLS client-certificate login, pages; buildApplication)
//   BulkRAACME (RFC 8555 messages: JWS, JWK, EAB, problem documents; pure, upstream of the service and the desk)
//   bulkra (CLI edge: files, flags, clock, logger backend; `serve` runs BulkRADesk)
import PackageDescription

let package = Package(
    name: "BulkRA",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bulkra", targets: ["bulkra"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // The web desk (`bulkra serve`): HTTP/1.1 over TLS with client certificates.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The registry on a database server (several desk instances, operators elsewhere).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Excel workbooks in and out (issue 17): ZIP containers; their XML goes through the system's libxml2.
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: [
        .target(
            name: "BulkRAModel",
            dependencies: []
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(
            name: "BulkRAWorkbook",
            dependencies: [
                "BulkRAModel",
                "CLibXML2",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "BulkRADecode",
            dependencies: [
                "BulkRAModel",
                "BulkRAWorkbook",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BulkRAValidate",
            dependencies: [
                "BulkRAModel",
                "BulkRADecode",
                "CBulkRAP384",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "CBulkRAOpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(
            name: "CBulkRAZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        .target(
            name: "CBulkRAZstd",
            linkerSettings: [.linkedLibrary("zstd")]
        ),
        .target(
            name: "CBulkRAP384",
            linkerSettings: [.linkedLibrary("gmp")]
        ),
        .target(
            name: "BulkRAIssue",
            dependencies: [
                "BulkRAModel",
                "CBulkRAOpenSSL",
                "BulkRAValidate",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "BulkRARegistry",
            dependencies: [
                "BulkRAModel",
                "BulkRAValidate",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "BulkRAPostgres",
            dependencies: [
                "BulkRAModel",
                "BulkRARegistry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            // RFC 8555 messages without I/O: base64url, JWKs and thumbprints, JWS requests and their checks, EAB, problems.
            name: "BulkRAACME",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "BulkRAReport",
            dependencies: [
                "BulkRAModel",
                "BulkRADecode",
                "BulkRAValidate",
                "BulkRAIssue",
                "BulkRARegistry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(
            name: "BulkRAService",
            dependencies: [
                "BulkRAModel",
                "BulkRAWorkbook",
                "BulkRAACME",
                "BulkRADecode",
                "BulkRAValidate",
                "BulkRAIssue",
                "BulkRARegistry",
                "BulkRAPostgres",
                "BulkRAReport",
                "CBulkRAOpenSSL",
                "CBulkRAZlib",
                "CBulkRAZstd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                // ACME-15: http-01 and dns-01 validation over the network.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BulkRADesk",
            dependencies: [
                "BulkRAModel",
                "BulkRADecode",
                "BulkRAValidate",
                "BulkRAIssue",
                "BulkRARegistry",
                "BulkRAReport",
                "BulkRAService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "bulkra",
            dependencies: [
                "BulkRAModel",
                "BulkRAIssue",
                "BulkRADecode",
                "BulkRAValidate",
                "BulkRARegistry",
                "BulkRAPostgres",
                "BulkRAReport",
                "BulkRAService",
                "BulkRADesk",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // PERF-75: mimalloc (Debian's libmimalloc) takes malloc over for the whole process.
            linkerSettings: [.linkedLibrary("mimalloc")]
        ),
        .executableTarget(
            name: "BulkRABench",
            dependencies: [
                "BulkRAModel",
                "CBulkRAP384",
                "BulkRADecode",
                "BulkRAWorkbook",
                "BulkRAACME",
                "BulkRAValidate",
                "BulkRARegistry",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // PERF-01: the peer issuer the bench runs with Python (`.venv`), not part of the Swift target.
            exclude: ["Peer"]
        ),
        .testTarget(
            name: "BulkRATests",
            dependencies: [
                "BulkRAModel",
                "BulkRAIssue",
                "BulkRADecode",
                "BulkRAValidate",
                "BulkRARegistry",
                "BulkRAReport",
                "BulkRAService",
                "BulkRADesk",
                "BulkRAPostgres",
                "BulkRAACME",
                "BulkRAWorkbook",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["Fixtures"]
        ),
    ]
)
