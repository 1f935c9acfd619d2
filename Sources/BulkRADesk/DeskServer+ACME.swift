import BulkRAModel
import BulkRARegistry
import BulkRAService
import Logging

extension DeskServer {
    /// ACME-11, ACME-20: the desk's ACME server: URLs under `mail.json`'s deskURL; validation over the network, redirected
    /// only on a TEST CA (the flags are refused otherwise).
    static func acmeServer(_ configuration: DeskConfiguration, registry: any Registry, authorities: LoadedAuthorities, logger: Logger) throws -> ACMEServer {
        let data = configuration.dataFolder
        let redirected = configuration.acmeValidationHost != nil || configuration.acmeHTTPPort != nil || configuration.acmeDNSResolver != nil
        if redirected, try !AuthorityStore(dataFolder: data).isTestAuthority(.server) {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "--acme-validation-host・--acme-http-port・--acme-dns-resolver はTEST CAでのみ使えます",
                en: "--acme-validation-host, --acme-http-port and --acme-dns-resolver work only with the TEST CA"))
        }
        let validator = NetworkChallengeValidator(validationHost: configuration.acmeValidationHost, httpPort: configuration.acmeHTTPPort ?? 80,
                                                  dnsResolver: configuration.acmeDNSResolver)
        return ACMEServer(ServiceEnvironment(dataFolder: data, registry: registry, logger: logger, authorities: authorities),
                          configuration: .init(baseURL: try MailSettings.load(data: data).deskURL), validator: validator)
    }
}
