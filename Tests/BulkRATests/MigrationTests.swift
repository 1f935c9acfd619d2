import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import Logging
import Testing

/// `bulkra migrate --to`: an embedded registry moved into PostgreSQL with everything in it (Specs/registry.md REG-22,
/// Specs/cli.md CLI-120).
@Suite("Moving a registry into PostgreSQL", .serialized)
struct MigrationTests {
    static func run(_ arguments: [String]) throws -> CLITests.Run {
        try CLITests.run(arguments)
    }

    @Test("REG-22 CLI-120 migrate moves every row: downloads are byte for byte the same, the doctor passes, old submissions are recognised and new ones continue the numbering")
    func moveEverything() throws {
        let data = try CLITests.dataFolder("migrate")
        defer { try? FileManager.default.removeItem(atPath: data) }
        var firstResults: [String] = []
        for (file, family, operation) in [("server/issue-valid.tsv", "server", "issue"), ("server/revoke-valid.tsv", "server", "revoke"),
                                          ("client/issue-valid.tsv", "client", "issue")] {
            let submitted = try Self.run(["submit", file, "--data", data, "--institution", "example-u", "--family", family, "--operation", operation,
                                          "--out", data + "/out-\(family)-\(operation)", "--key-type", "p256"])
            #expect(submitted.status == 0, "\(file): \(submitted.error)")
            firstResults.append(submitted.output)
        }
        #expect(try Self.run(["doctor", "--data", data]).status == 0)
        func downloads(_ tag: String) throws -> [Data] {
            try ["certificates", "administrators"].map { kind in
                let output = "\(data)/\(kind)-\(tag).tsv"
                let result = try Self.run(["download", kind, "--institution", "example-u", "--data", data, "-o", output])
                #expect(result.status == 0, "\(result.error)")
                return try Data(contentsOf: URL(fileURLWithPath: output))
            }
        }
        let before = try downloads("before")
        let revoked = CertificateQuery(institutionID: "example-u", states: [.revoked])
        let revokedBefore = try DataFolder(path: data).openRegistry(logger: Logger(label: "t")).certificates(revoked, after: 0, limit: 1000).count

        let cluster = try PostgresCluster.started()
        let url = cluster.url(try cluster.freshDatabase("migrate"))
        let moved = try Self.run(["migrate", "--data", data, "--to", url])
        #expect(moved.status == 0, "\(moved.error)")
        #expect(moved.output.contains("copied\tcertificate\t") && moved.output.contains("OK\tafter\tDOC-02"), "\(moved.output)")
        #expect(try String(contentsOfFile: data + "/database", encoding: .utf8).hasPrefix(url))

        let registry = try DataFolder(path: data).openRegistry(logger: Logger(label: "t"))
        #expect(registry.location.hasPrefix("postgres://"))
        #expect(try downloads("after") == before)
        #expect(try registry.certificates(revoked, after: 0, limit: 1000).count == revokedBefore && revokedBefore > 0)
        #expect(try Self.run(["doctor", "--data", data]).status == 0)

        // The same bytes again get their first result (RES-14); a new file continues the batch numbering.
        let again = try Self.run(["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                  "--operation", "issue"])
        #expect(again.status == 0 && again.output == firstResults[0], "\(again.output.prefix(400))")
        let newFile = try ReliabilityTests.clientFile("after-move.tsv", count: 3, in: data)
        let fresh = try Self.run(ReliabilityTests.submit(newFile, data: data, out: data + "/out-after"))
        #expect(fresh.status == 0, "\(fresh.error)")
        #expect(try ReliabilityTests.clientCertificates(data).count >= 3)

        // A folder already on PostgreSQL is not moved again; a non-empty target is refused and the folder stays as it was.
        let twice = try Self.run(["migrate", "--data", data, "--to", url])
        #expect(twice.status == 2 && twice.error.contains("already"))
        let other = try CLITests.dataFolder("migrate-other")
        defer { try? FileManager.default.removeItem(atPath: other) }
        let refused = try Self.run(["migrate", "--data", other, "--to", url])
        #expect(refused.status == 2 && refused.error.contains("not empty"), "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: other + "/database"))
        #expect(try Self.run(["doctor", "--data", other]).status == 0)
    }
}
