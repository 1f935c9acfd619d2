import BulkRAValidate
import Foundation
import Testing

/// `bulkra nightly` (Specs/nightly.md).
@Suite("Nightly export (Specs/nightly.md)", .serialized)
struct NightlyTests {
    static func files(in folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[path] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path))
            }
        }
        return result
    }

    @Test("NIGHT-01 / NIGHT-02 / CLI-95 every institution's downloads, statistics, allow-list and the CRLs; the manifest lists each file with rows, bytes and SHA-256")
    func export() throws {
        let out = DownloadFixture.data + "/night-export"
        try? FileManager.default.removeItem(atPath: out)
        let result = try DownloadFixture.run(["nightly", "--out", out, "--date", "2026-11-21"])
        #expect(result.status == 0, "\(result.error)")
        let files = try Self.files(in: out + "/2026-11-21")
        for institution in ["example-u", "sample-tech", "closed-u"] {
            for name in ["certificates-all.tsv", "certificates-server.tsv", "certificates-client.tsv", "certificates-codesign.tsv",
                         "administrators.tsv", "statistics.tsv", "statistics.json", "statistics.svg", "allowlist.tsv"] {
                #expect(files["\(institution)/\(name)"] != nil, "\(institution)/\(name)")
            }
        }
        for role in ["server", "client", "codesign", "ra"] { #expect(files["crl/\(role).crl"] != nil) }
        let manifest = String(decoding: try #require(files["manifest.tsv"]), as: UTF8.self)
        let lines = manifest.split(separator: "\n").map(String.init)
        #expect(lines[0] == "# bulkra nightly export\t2026-11-21" && lines[2] == "file\trows\tbytes\tsha256")
        let entries = lines.dropFirst(3).map { $0.components(separatedBy: "\t") }
        #expect(Set(entries.map { $0[0] }) == Set(files.keys).subtracting(["manifest.tsv", "manifest.tsv.p7s"]))
        for entry in entries {
            let data = try #require(files[entry[0]])
            #expect(Int(entry[2]) == data.count && entry[3] == ContentDigest.sha256(Array(data)), "\(entry[0])")
        }
        // Row counts agree with the files: the certificate download's rows, header excluded.
        let all = try DownloadFixture.table(try #require(files["example-u/certificates-all.tsv"]))
        #expect(entries.first { $0[0] == "example-u/certificates-all.tsv" }?[1] == String(all.count - 1))
        let single = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "-o", out + "/single.tsv"])
        let singleBytes = try DownloadFixture.file(out + "/single.tsv")
        #expect(single.status == 0 && singleBytes == files["example-u/certificates-all.tsv"])
        // PERF-08: each family's file holds the same encoded rows as the family's own download.
        for family in ["server", "client", "codesign"] {
            let path = out + "/single-\(family).tsv"
            let download = try DownloadFixture.run(["download", "certificates", "--institution", "example-u", "--family", family, "-o", path])
            let bytes = try DownloadFixture.file(path)
            #expect(download.status == 0 && bytes == files["example-u/certificates-\(family).tsv"], "\(family)")
        }
    }

    @Test("NIGHT-03 running twice for one date gives identical files; partial exports are never visible and are cleaned up")
    func repeatable() throws {
        let out = DownloadFixture.data + "/night-repeat"
        try? FileManager.default.removeItem(atPath: out)
        try FileManager.default.createDirectory(atPath: out + "/.2026-11-20.partial-99999/example-u", withIntermediateDirectories: true)
        #expect(try DownloadFixture.run(["nightly", "--out", out, "--date", "2026-11-21"]).status == 0)
        let first = try Self.files(in: out + "/2026-11-21")
        let again = try DownloadFixture.run(["nightly", "--out", out, "--date", "2026-11-21"])
        #expect(again.status == 0 && again.output.contains("unchanged"))
        let second = try Self.files(in: out + "/2026-11-21")
        #expect(second == first)
        let left = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(left == ["2026-11-21"], "no partial or old folder is left")
    }

    @Test("NIGHT-04 the manifest carries the previous night's manifest hash and a detached CMS signature that openssl verifies; a changed manifest does not verify")
    func signedChain() throws {
        let out = DownloadFixture.data + "/night-chain"
        try? FileManager.default.removeItem(atPath: out)
        #expect(try DownloadFixture.run(["nightly", "--out", out, "--date", "2026-11-20"]).status == 0)
        #expect(try DownloadFixture.run(["nightly", "--out", out, "--date", "2026-11-21"]).status == 0)
        let previous = try DownloadFixture.file(out + "/2026-11-20/manifest.tsv")
        let manifest = String(decoding: try DownloadFixture.file(out + "/2026-11-21/manifest.tsv"), as: UTF8.self)
        #expect(manifest.contains("# previous manifest sha256\t\(ContentDigest.sha256(Array(previous)))"))
        #expect(String(decoding: previous, as: UTF8.self).contains("# previous manifest sha256\tnone"))
        let root = DownloadFixture.data + "/ca/root.pem"
        func verify(_ content: String) throws -> (Int32, String) {
            try runTool("/usr/bin/openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", out + "/2026-11-21/manifest.tsv.p7s",
                                             "-content", content, "-CAfile", root, "-purpose", "any", "-out", "/dev/null"])
        }
        let good = try verify(out + "/2026-11-21/manifest.tsv")
        #expect(good.0 == 0 && good.1.contains("Verification successful"), "\(good.1)")
        try Data((manifest + "extra\t0\t0\t0\n").utf8).write(to: URL(fileURLWithPath: out + "/tampered.tsv"))
        let tampered = try verify(out + "/tampered.tsv")
        #expect(tampered.0 != 0)
    }
}
