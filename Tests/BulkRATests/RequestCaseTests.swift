import BulkRADecode
import BulkRAModel
@testable import BulkRAValidate
import Foundation
import Testing

/// Accepted lines become one request case per family and operation, each holding only validated values (VAL-R01).
@Suite("Typed requests (Specs/validation.md VAL-R01)")
struct RequestCaseTests {
    /// One accepted line per family and operation, and the case it must become.
    enum Example: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case serverIssue, serverRenew, serverRevoke, clientIssue, clientRenew, clientRevoke
        case codeSigningIssue, codeSigningRenew, codeSigningRevoke

        var testDescription: String { rawValue }

        var upload: (kind: UploadKind, operation: UploadOperation, line: String) {
            let www = Fixture.decimal(Fixture.wwwSerial), taro = Fixture.decimal(Fixture.taroSerial)
            let code = Fixture.decimal(Fixture.codeSerial)
            switch self {
            case .serverIssue: return (.server, .issue, Line.server())
            case .serverRenew: return (.server, .renew, Line.server(cn: "www.example.ac.jp", serial: www))
            case .serverRevoke: return (.server, .revoke, Line.serverRevoke(comment: "交換済み"))
            case .clientIssue: return (.client, .issue, Line.client(method: "2", pin: "Pin-2026-abc"))
            case .clientRenew:
                return (.client, .renew, Line.client(dn: "CN=Taro Yamada,OU=Faculty of Science,\(Fixture.ex)", method: "3", serial: taro, p12: "",
                                                     userEmail: "taro.yamada@example.ac.jp"))
            case .clientRevoke: return (.client, .revoke, Line.clientRevoke())
            case .codeSigningIssue: return (.codeSigning, .issue, Line.codeSigning())
            case .codeSigningRenew: return (.codeSigning, .renew, Line.codeSigning(cn: "Example University Tools", serial: code, key: TestKeys.rsa3072B))
            case .codeSigningRevoke:
                return (.codeSigning, .revoke, [ "CN=Example University Tools,\(Fixture.ex)", "", "", code, "5", "", "", "", "", "dev@example.ac.jp",
                                                 "", "", ""].joined(separator: "\t"))
            }
        }
    }

    static func accepted(_ example: Example) throws -> CertificateRequest {
        let (kind, operation, line) = example.upload
        let batch = try Fixture.check(kind, operation, [line])
        let result = try #require(batch.lines.first)
        #expect(result.diagnostics.isEmpty, "\(example): \(result.diagnostics.map(\.code.rawValue))")
        guard case .certificate(let request)? = result.request else { throw OperationalError(.invalidRequest, LocalizedText(ja: "不可", en: "not accepted")) }
        return request
    }

    @Test("VAL-R01 each family and operation becomes its own case with its values", arguments: Example.allCases)
    func cases(_ example: Example) throws {
        let request = try Self.accepted(example)
        #expect(request.line == 1 && request.operation == example.upload.operation)
        switch (example, request) {
        case (.serverIssue, .issue(.server(let server))):
            #expect(server.domain.name == "example.ac.jp" && server.serverSoftware.text == "Apache 2.4" && server.dnsNames.map(\.name) == ["mail.example.ac.jp"])
            #expect(server.administrator.name?.text == "管理 太郎" && server.signingRequest.keyKind == .rsa(bits: 2048))
        case (.serverRenew, .renew(.server(let server), let replaced)):
            #expect(replaced.decimal == Fixture.decimal(Fixture.wwwSerial) && server.subject.commonName == "www.example.ac.jp")
        case (.serverRevoke, .revoke(let revocation)), (.clientRevoke, .revoke(let revocation)), (.codeSigningRevoke, .revoke(let revocation)):
            #expect(revocation.family == CertificateFamily(example.upload.kind))
            switch example {
            case .serverRevoke: #expect(revocation.reason == .superseded && revocation.comment?.text == "交換済み" && revocation.domain?.name == "example.ac.jp")
            case .clientRevoke: #expect(revocation.reason == .affiliationChanged && revocation.userEmail?.address == "taro.yamada@example.ac.jp")
            default: #expect(revocation.reason == .cessationOfOperation && revocation.comment == nil && revocation.userEmail == nil)
            }
        case (.clientIssue, .issue(.client(let client))):
            let nine = try SerialNumber("9")
            #expect(client.downloadMethod == .bulkPKCS12 && client.pkcs12Name(serial: nine) == "NIIcert-0001")
            #expect(client.user.name?.text == "鈴木 花子" && client.administrator.email.address == "cadmin@example.ac.jp" && client.accessPIN != nil)
        case (.clientRenew, .renew(.client(let client), let replaced)):
            // Method 3 needs no PKCS#12 name: the name is the serial.
            #expect(client.downloadMethod == .browser && client.pkcs12FileName == nil && client.pkcs12Name(serial: replaced) == replaced.decimal)
        case (.codeSigningIssue, .issue(.codeSigning(let codeSigning))), (.codeSigningRenew, .renew(.codeSigning(let codeSigning), _)):
            #expect(codeSigning.profile == .codeSigning && codeSigning.domain?.name == "example.ac.jp")
            #expect(codeSigning.administrator.email.address == "dev@example.ac.jp" && codeSigning.signingRequest.keyKind == .rsa(bits: 3072))
        default:
            Issue.record("\(example) became \(request)")
        }
    }

    /// A value the request of a server issue line cannot do without.
    enum Removed: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case subject, profile, signingRequest, administratorEmail, domain, serverSoftware, dnsNames

        var testDescription: String { rawValue }

        func remove(from draft: inout CertificateLineChecker.Draft) -> Int {
            switch self {
            case .subject: draft.subject = nil; return 1
            case .profile: draft.profile = nil; return 2
            case .signingRequest: draft.signingRequest = nil; return 7
            case .administratorEmail: draft.administratorEmail = nil; return 10
            case .domain: draft.domain = nil; return 11
            case .serverSoftware: draft.serverSoftware = nil; return 12
            case .dnsNames: draft.dnsNames = []; return 13
            }
        }
    }

    @Test("VAL-R01 never accepts half-filled: a clean line missing a value its case needs is refused with 201 on that column",
          arguments: Removed.allCases)
    func neverHalfFilled(_ removed: Removed) throws {
        let upload = try UploadDecoder(kind: .server).decode(Array((Line.server() + "\n").utf8), fileName: "s.tsv")
        guard case .row(let row) = upload.row(ServerRow.self, at: 0) else { Issue.record("the line must decode"); return }
        let checker = CertificateLineChecker(family: .server, operation: .issue, institution: try #require(try Fixture.shared.institution(id: "example-u")),
                                             officer: nil, layout: .of(.server), now: Date())
        var complete = checker.draft(row)
        #expect(complete.accept() != nil && complete.check.isClean)
        var draft = checker.draft(row)
        let column = removed.remove(from: &draft)
        #expect(draft.accept() == nil)
        #expect(draft.check.sortedDiagnostics.map(\.code) == [.requiredValueMissing])
        #expect(draft.check.sortedDiagnostics.map(\.column) == [column])
    }
}
