import BulkRAModel
import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL registry lives (REG-21): `postgres://user@host:port/database`, with the password from
/// `PGPASSWORD` or a file only its owner may read, and TLS when the URL asks for it (`sslmode=require`, or
/// `verify-full` to check the server's certificate against `sslrootcert` or the system's roots).
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected (libpq's `sslmode` names).
    public enum TLSMode: String, Sendable, Hashable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public let host: String
    public let port: Int
    public let user: String
    public let database: String
    public let tls: TLSMode
    /// A CA bundle that signs the server's certificate (`verify-full`).
    public let rootCertificatePath: String?

    /// REG-21: parses a database URL; a password in it is refused (it would be stored and shown).
    public init(url text: String) throws(OperationalError) {
        func refuse(_ ja: String, _ en: String) -> OperationalError {
            OperationalError(.invalidRequest, LocalizedText(ja: "データベースURLが正しくありません: \(ja)", en: "Invalid database URL: \(en)"))
        }
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw refuse("postgres://利用者@ホスト:ポート/データベース の形で指定してください",
                         "expected postgres://user@host:port/database")
        }
        guard components.password == nil else {
            throw refuse("パスワードをURLに含めないでください（PGPASSWORD かパスワードファイルを使います）",
                         "do not put the password in the URL (use PGPASSWORD or a password file)")
        }
        guard let user = components.user, !user.isEmpty, let host = components.host, !host.isEmpty else {
            throw refuse("利用者とホストが必要です", "a user and a host are required")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw refuse("データベース名が必要です", "a database name is required") }
        var tls = TLSMode.disable
        var root: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw refuse("sslmode は disable, require, verify-full のいずれかです", "sslmode is disable, require or verify-full")
                }
                tls = mode
            case "sslrootcert":
                root = item.value
            default:
                throw refuse("未知のパラメータ \(item.name)", "unknown parameter \(item.name)")
            }
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.database = database
        self.tls = tls
        self.rootCertificatePath = root
    }

    /// The URL as given (it never holds a password).
    public var description: String {
        var text = "postgres://\(user)@\(host):\(port)/\(database)"
        var query: [String] = []
        if tls != .disable { query.append("sslmode=\(tls.rawValue)") }
        if let rootCertificatePath { query.append("sslrootcert=\(rootCertificatePath)") }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }

    /// REG-21: the password: `PGPASSWORD`, else the file `passwordFile` (refused unless only its owner can read it),
    /// else none (trust or peer authentication).
    public static func password(environment: [String: String], passwordFile: String?) throws(OperationalError) -> String? {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
        guard let passwordFile, FileManager.default.fileExists(atPath: passwordFile) else { return nil }
        var info = stat()
        guard stat(passwordFile, &info) == 0, info.st_mode & 0o077 == 0 else {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "パスワードファイルは所有者だけが読めるようにしてください（chmod 600 \(passwordFile)）",
                en: "The password file must be readable by its owner only (chmod 600 \(passwordFile))"))
        }
        guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
            throw OperationalError(.io, LocalizedText(ja: "パスワードファイルを読めません: \(passwordFile)",
                                                      en: "Cannot read the password file: \(passwordFile)"))
        }
        return text.trimmingCharacters(in: .newlines)
    }

    /// REG-21: the connection configuration.
    func configuration(password: String?) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch self.tls {
        case .disable:
            tls = .disable
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tls = .require(try NIOSSLContext(configuration: configuration))
        case .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let rootCertificatePath { configuration.trustRoots = .file(rootCertificatePath) }
            tls = .require(try NIOSSLContext(configuration: configuration))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                             database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}
