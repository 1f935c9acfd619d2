import ArgumentParser
import BulkRAService
import Foundation

/// `--repository-url http://HOST[:PORT][/PATH]`: the base of the URLs written into certificates (REP-04; CLI-10, CLI-12).
struct RepositoryURLOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where relying parties reach the repository (CRLs, CA certificates, OCSP): the base of every URL in urls.json (default \(AuthorityStore.defaultRepository), which serve answers on this machine).",
        valueName: "url"))
    var repositoryURL: String?

    func validate() throws {
        if let repositoryURL {
            guard let components = URLComponents(string: repositoryURL), components.scheme == "http", components.host?.isEmpty == false,
                  components.query == nil, components.fragment == nil, components.user == nil else {
                throw ValidationError("--repository-url は http://ホスト[:ポート][/パス] の形式で指定してください / give --repository-url as http://HOST[:PORT][/PATH] (plain HTTP, RFC 5280)")
            }
        }
    }
}
