extension UInt8 {
    /// FQDN-02, DN-08: whether the byte is an ASCII capital letter A–Z.
    var isASCIICapital: Bool { self >= 0x41 && self <= 0x5A }

    /// FQDN-02, DN-08: the byte with an ASCII capital folded to its small letter; every other byte as it is.
    var asciiLowercased: UInt8 { isASCIICapital ? self | 0x20 : self }
}
