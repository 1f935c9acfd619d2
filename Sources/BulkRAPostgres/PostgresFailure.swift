import BulkRAModel
import BulkRARegistry
import Foundation
import PostgresNIO

/// PostgreSQL failures as coded errors naming the database (REG-19, REG-20); never the password.
enum PostgresFailure {
    static func unexpected(_ what: String) -> OperationalError {
        OperationalError(.database, LocalizedText(ja: "登録データベースの応答が想定外です: \(what)",
                                                  en: "The registry database answered unexpectedly: \(what)"))
    }

    /// REG-20: a server or connection error as the registry's codes (the same as SQLite's for the same situation).
    static func classify(_ error: any Error, location: String) -> any Error {
        if error is OperationalError || error is DeliveryLinkRecord.Refusal { return error }
        guard let error = error as? PSQLError else {
            return OperationalError(.database, LocalizedText(ja: "登録データベースを使えません（\(location)）: \(error)",
                                                             en: "Cannot use the registry (\(location)): \(error)"))
        }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        switch state {
        case "23505":
            // REG-17's last guard: the checks under the lock make this unreachable; nothing of the batch was stored.
            return OperationalError(.registryBusy, LocalizedText(
                ja: "同じ内容が別の申請で先に登録されたため、この申請は何も登録していません（\(location)）。もう一度実行すると先の結果が返ります。",
                en: "A concurrent submission recorded the same first; nothing of this one was stored (\(location)). Submit again to get its result."))
        case "55P03", "40001", "40P01":
            return OperationalError(.registryBusy, LocalizedText(
                ja: "登録データベースは別の処理が使用中で、待ち時間内に空きませんでした（\(location)）。しばらくしてからもう一度実行してください。",
                en: "Another process held the registry past the wait limit (\(location)). Try again in a moment."))
        case "42501", "25006":
            return OperationalError(.registryReadOnly, LocalizedText(
                ja: "登録データベースに書き込めません（権限がないか読み取り専用です: \(location)）。",
                en: "The registry cannot be written (no permission or read-only: \(location)): \(message)"))
        case "28P01", "28000":
            return OperationalError(.database, LocalizedText(
                ja: "登録データベースに認証されませんでした（\(location)）。PGPASSWORD かパスワードファイルを確認してください。",
                en: "The registry database refused the login (\(location)). Check PGPASSWORD or the password file."))
        default:
            if state.isEmpty {
                return OperationalError(.database, LocalizedText(
                    ja: "登録データベースに接続できません（\(location)）: \(error.code)",
                    en: "Cannot reach the registry database (\(location)): \(error.code)"))
            }
            return OperationalError(.database, LocalizedText(
                ja: "登録データベースの処理に失敗しました（\(location)）: \(state) \(message)",
                en: "The registry failed (\(location)): \(state) \(message)"))
        }
    }
}
