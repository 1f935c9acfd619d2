import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation
import PropertyBased
import Testing

/// Revocations scheduled up to a month ahead (Specs/revocation.md REV-07, REV-08).
@Suite("Scheduled revocation (Specs/revocation.md)")
struct ScheduledRevocationTests {
    static let now = UTCTimestamp.date("2026-12-04T03:00:00Z")!  // 12:00 JST

    /// `date` as a revocation line writes it: `yyyy/MM/dd HH:mm` in Japan time.
    static func jst(_ date: Date) -> String {
        String(JapanTime.format(date).prefix(16))
    }

    @Test("REV-07 the scheduled time is yyyy/MM/dd HH:mm[:ss] or yyyy/MM/dd in Japan time, later than now and at most a month ahead; anything else is 206 or 235")
    func parsing() throws {
        #expect(try ScheduledRevocation("2026/12/10 09:30", now: Self.now).date == UTCTimestamp.date("2026-12-10T00:30:00Z"))
        #expect(try ScheduledRevocation("2026/12/10 09:30:15", now: Self.now).date == UTCTimestamp.date("2026-12-10T00:30:15Z"))
        #expect(try ScheduledRevocation("2026/12/10", now: Self.now).date == UTCTimestamp.date("2026-12-09T15:00:00Z"))
        #expect(try ScheduledRevocation("2027/01/04 12:00", now: Self.now).date == UTCTimestamp.date("2027-01-04T03:00:00Z"))
        for malformed in ["2026-12-10 09:30", "2026/12/10 9:30", "2026/02/30", "2026/12/10 24:00", "2026/13/01", "2026/12/10  09:30",
                          "2026/12/10T09:30", "２０２６/12/10", "2026/12/10 09:30:60", "tomorrow"] {
            do {
                _ = try ScheduledRevocation(malformed, now: Self.now)
                Issue.record("\(malformed) accepted")
            } catch {
                #expect(error.code == .syntaxViolated, "\(malformed)")
            }
        }
        for outside in ["2026/12/04 12:00", "2026/12/04 11:59", "2027/01/04 12:01", "2027/06/01"] {
            do {
                _ = try ScheduledRevocation(outside, now: Self.now)
                Issue.record("\(outside) accepted")
            } catch {
                #expect(error.code == .scheduleOutOfRange, "\(outside)")
            }
        }
    }

    @Test("REV-07 a time written back from any accepted moment within the month parses to that moment (to the minute)")
    func roundTrip() async {
        await propertyCheck(input: Gen.int(in: 1...(30 * 24 * 60))) { minutes in
            let moment = Self.now.addingTimeInterval(TimeInterval(minutes * 60))
            #expect((try? ScheduledRevocation(Self.jst(moment), now: Self.now))?.date == moment)
        }
    }

    @Test("REV-07 REV-08 a scheduled revocation keeps the certificate valid (state 2, no CRL entry) until its time; the job revokes it then with its mails and the CRL, at the scheduled time, once")
    func scheduledThenDone() throws {
        let (data, out) = try LifecycleTests.serverFolder("scheduled-revocation")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let issued = try LifecycleTests.issued(data, out)
        let target = try #require(issued.first { $0.subject.commonName == "mail.example.ac.jp" })
        let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + 2 * 3600)
        let file = out + "/revoke.tsv"
        try "\(target.subject)\t\t\t\(target.serial.decimal)\t5\t\t\(Self.jst(at))\t\t\t\t\t\t\r\n".write(toFile: file, atomically: true, encoding: .utf8)
        let submitted = try CLITests.run(["submit", file, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"])
        #expect(submitted.status == 0, "\(submitted.output)")
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        var stored = try #require(try registry.storedCertificates(serials: [target.serial]).first)
        #expect(stored.state == .revocationScheduled && stored.revokedAt == at && stored.revocationReason == .cessationOfOperation)
        // Shown as scheduled in the 46-column download: state 2, the request filled in, no completion yet.
        let download = try CLITests.run(["download", "certificates", "--data", data, "--institution", "example-u", "--state", "scheduled",
                                         "--encoding", "utf-8"])
        let rows = download.output.split(separator: "\r\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.count == 2 && rows[1][11] == "2" && rows[1][23] == Substring(target.serial.decimal) && rows[1][34].isEmpty
                && rows[1][36] == "5", "\(download.output)")
        // Not on the CRL yet; the job is due at the scheduled time (the upload brought it forward).
        let hex = target.serial.magnitude.map { String(format: "%02X", $0) }.joined()
        func crl() throws -> String {
            try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", data + "/crl/server.crl", "-noout", "-text"]).output
        }
        #expect(!(try crl().contains(hex)))
        let due = try #require(try registry.jobStates().first { $0.name == "scheduled-revocations" })
        #expect(due.dueAt <= at)
        #expect(try LifecycleTests.mails(data, event: "revocation-scheduled").count == 1)
        #expect(try LifecycleTests.jobs(data, "scheduled-revocations", at: at - 60).contains("no job is due"))
        let done = try LifecycleTests.jobs(data, "scheduled-revocations", at: at + 30)
        #expect(done.contains("1 scheduled revocations done"), "\(done)")
        stored = try #require(try registry.storedCertificates(serials: [target.serial]).first)
        #expect(stored.state == .revoked && stored.revokedAt == at)
        #expect(try crl().contains(hex))
        let mails = try LifecycleTests.mails(data, event: "revoked")
        #expect(mails.count == 1 && mails[0].body.contains(JapanTime.format(at)) && mails[0].to.contains("admin@example.ac.jp")
                && mails[0].to.contains("ra1@example.ac.jp") == false)
        #expect(try LifecycleTests.jobs(data, "scheduled-revocations", at: at + 3700).contains("no revocation due"))
        #expect(try LifecycleTests.mails(data, event: "revoked").count == 1)
    }

    @Test("REV-07 a later revocation line for a certificate scheduled to be revoked replaces the schedule (here: at once); a renewal leaves the schedule in place")
    func rescheduled() throws {
        let (data, out) = try LifecycleTests.serverFolder("scheduled-replaced")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let issued = try LifecycleTests.issued(data, out)
        let first = try #require(issued.first { $0.subject.commonName == "mail.example.ac.jp" })
        let later = Date().addingTimeInterval(7 * 86_400)
        let scheduled = out + "/scheduled.tsv", now = out + "/now.tsv"
        try "\(first.subject)\t\t\t\(first.serial.decimal)\t4\t\t\(Self.jst(later))\t\t\t\t\t\t\r\n".write(toFile: scheduled, atomically: true, encoding: .utf8)
        try "\(first.subject)\t\t\t\(first.serial.decimal)\t1\t\t\t\t\t\t\t\t\r\n".write(toFile: now, atomically: true, encoding: .utf8)
        for file in [scheduled, now] {
            let run = try CLITests.run(["submit", file, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"])
            #expect(run.status == 0, "\(run.output)")
        }
        let registry = try SQLiteRegistry(path: data + "/registry.sqlite", clock: { Date() })
        let stored = try #require(try registry.storedCertificates(serials: [first.serial]).first)
        #expect(stored.state == .revoked && stored.revocationReason == .keyCompromise && stored.revokedAt! < later)
        let again = out + "/again.tsv"
        try "\(first.subject)\t\t\t\(first.serial.decimal)\t3\t\t\t\t\t\t\t\t\r\n".write(toFile: again, atomically: true, encoding: .utf8)
        #expect(try CLITests.run(["check", again, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke",
                                  "--format", "tsv"]).output.contains("223:1"))
        // A renewal of a certificate scheduled to be revoked leaves the schedule (state 2) as it is.
        let second = try #require(issued.first { $0.subject.commonName == "portal.example-lab.jp" })
        let secondFile = out + "/second.tsv"
        try "\(second.subject)\t\t\t\(second.serial.decimal)\t4\t\t\(Self.jst(later))\t\t\t\t\t\t\r\n".write(toFile: secondFile, atomically: true, encoding: .utf8)
        #expect(try CLITests.run(["submit", secondFile, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"]).status == 0)
        let worksheet = out + "/renew.tsv"
        #expect(try CLITests.run(["download", "renewals", "--data", data, "--institution", "example-u", "--family", "server", "--within", "400",
                                  "-o", worksheet]).status == 0)
        #expect(!(try String(contentsOfFile: worksheet, encoding: .utf8).contains(second.serial.decimal)), "no longer live: not on the worksheet")
    }
}
