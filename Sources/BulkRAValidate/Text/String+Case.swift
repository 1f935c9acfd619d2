extension String {
    /// PERF-65: `lowercased()`, but the text itself (no new string) when it is ASCII without a capital letter — as a server
    /// CN, folded by FQDN-02 already, nearly always is.
    var lowercasedAvoidingCopy: String {
        let needsFolding = utf8.withContiguousStorageIfAvailable { bytes in
            bytes.contains { $0 >= 0x80 || $0.isASCIICapital }
        } ?? true
        return needsFolding ? lowercased() : self
    }

    /// PERF-65: whether `lowercased()` of the two texts is equal, compared byte by byte with A–Z folded when both are ASCII
    /// (no lowered copies made); other texts are lowered in full.
    func equalsIgnoringCase(_ other: String) -> Bool {
        let verdict = utf8.withContiguousStorageIfAvailable { left in
            other.utf8.withContiguousStorageIfAvailable { right -> Bool? in
                guard left.allSatisfy({ $0 < 0x80 }), right.allSatisfy({ $0 < 0x80 }) else { return nil }
                return left.count == right.count && zip(left, right).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
            } ?? nil
        } ?? nil
        return verdict ?? (lowercased() == other.lowercased())
    }
}
