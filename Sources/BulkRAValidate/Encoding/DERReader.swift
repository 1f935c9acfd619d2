/// PERF-19: a strict DER reader for the few structures the checks read themselves (a CSR, CSR-01), with no tree of
/// nodes built: elements are read one after the other from the original bytes.
///
/// `validate(_:)` accepts exactly what swift-asn1's DER parser accepts (one element and nothing after it; definite,
/// minimally encoded lengths; long-form tags only for numbers of 31 and more; no `[UNIVERSAL 0]`; at most 50 levels),
/// so a request is refused for the same bytes as before; the reading methods then check each element's type.
///
/// PERF-61: the reader works on a buffer its caller keeps alive (`withUnsafeBufferPointer`) and an element is its
/// positions in it, so reading retains and releases nothing; the caller slices its own array at the positions it keeps.
struct DERReader {
    /// PERF-19: why bytes are not the DER the reader expects.
    struct Malformed: Error {}

    /// PERF-19: one element: its first identifier octet, and the positions of its content and of its whole encoding.
    struct Element {
        /// The first identifier octet (class, constructed bit, tag number or 0x1F for the long form).
        let identifier: UInt8
        /// Where the content octets are.
        let content: Range<Int>
        /// Where identifier, length and content are.
        let encoded: Range<Int>

        /// Whether the element is constructed (its content is more elements).
        var isConstructed: Bool { identifier & 0x20 != 0 }
    }

    /// Universal identifier octets (class universal, short form), with the constructed bit where DER sets it.
    enum Identifier {
        static let integer: UInt8 = 0x02
        static let bitString: UInt8 = 0x03
        static let null: UInt8 = 0x05
        static let objectIdentifier: UInt8 = 0x06
        static let bmpString: UInt8 = 0x1E
        static let sequence: UInt8 = 0x30
        static let set: UInt8 = 0x31
    }

    /// The deepest nesting swift-asn1 parses (the outermost element is level 1).
    static let maximumDepth = 50

    /// The bytes being read.
    let buffer: UnsafeBufferPointer<UInt8>
    private var position: Int
    private let end: Int

    /// PERF-19, PERF-61: a reader of the elements in `range` of `buffer` (all of it by default), one after the other.
    init(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>? = nil) {
        self.buffer = buffer
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? buffer.count
    }

    /// A reader of the elements inside `element` (read from the same buffer).
    func reader(inside element: Element) -> DERReader {
        DERReader(buffer, element.content)
    }

    /// The bytes at `range` of the buffer.
    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[range])
    }

    /// Whether every element has been read.
    var isAtEnd: Bool { position == end }

    /// PERF-19: checks that `bytes` is one DER element, well formed at every level, and nothing more.
    static func validate(_ bytes: ArraySlice<UInt8>) throws(Malformed) {
        let valid = bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            return skipElement(buffer, at: &index, end: buffer.count, depth: 1) && index == buffer.count
        }
        guard valid else { throw Malformed() }
    }

    /// Steps over the element at `index` and everything in it, checking each level; false when something is malformed.
    private static func skipElement(_ buffer: UnsafeBufferPointer<UInt8>, at index: inout Int, end: Int, depth: Int) -> Bool {
        guard depth <= maximumDepth, let (identifier, length) = header(buffer, at: &index, end: end) else { return false }
        let contentEnd = index + length
        if identifier & 0x20 != 0 {
            while index < contentEnd {
                guard skipElement(buffer, at: &index, end: contentEnd, depth: depth + 1) else { return false }
            }
        }
        index = contentEnd
        return true
    }

    /// The next element, or nil at the end.
    mutating func next() throws(Malformed) -> Element? {
        isAtEnd ? nil : try readElement()
    }

    /// The next element, which must be there.
    mutating func required() throws(Malformed) -> Element {
        guard let element = try next() else { throw Malformed() }
        return element
    }

    /// The next element, which must be there with identifier octet `identifier`.
    mutating func required(_ identifier: UInt8) throws(Malformed) -> Element {
        let element = try required()
        guard element.identifier == identifier else { throw Malformed() }
        return element
    }

    /// Skips the elements left.
    mutating func skipRest() {
        position = end
    }

    /// Where the content of the next element is, an OBJECT IDENTIFIER whose subidentifiers are minimally encoded.
    mutating func objectIdentifier() throws(Malformed) -> Range<Int> {
        let element = try required(Identifier.objectIdentifier)
        try Self.validateObjectIdentifier(bytes(element.content))
        return element.content
    }

    /// PERF-39, PERF-68: an INTEGER's content octets as an unsigned big-endian magnitude, one leading zero octet dropped;
    /// nil when empty, not minimally encoded (X.690 8.3.2) or negative — what BoringSSL's `BN_parse_asn1_unsigned` refuses.
    static func unsignedMagnitude(_ content: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let first = content.first else { return nil }
        if content.count > 1 {
            let second = content[1]
            if (first == 0xFF && second & 0x80 != 0) || (first == 0x00 && second & 0x80 == 0) { return nil }
        }
        if first == 0x00 { return UnsafeBufferPointer(rebasing: content[1...]) }
        return first & 0x80 == 0 ? content : nil
    }

    /// Where the bits of the next element are, a BIT STRING (the unused-bits octet dropped; unused bits must be zero).
    mutating func bitString() throws(Malformed) -> Range<Int> {
        let content = try required(Identifier.bitString).content
        guard !content.isEmpty, buffer[content.lowerBound] < 8 else { throw Malformed() }
        let unused = buffer[content.lowerBound]
        let bits = (content.lowerBound + 1)..<content.upperBound
        if let last = bits.last {
            guard buffer[last] & ~(UInt8.max << unused) == 0 else { throw Malformed() }
        } else if unused != 0 {
            throw Malformed()
        }
        return bits
    }

    /// PERF-19: an OBJECT IDENTIFIER's content: at least one subidentifier, each minimally encoded, closed and at most
    /// nine octets.
    static func validateObjectIdentifier(_ content: UnsafeBufferPointer<UInt8>) throws(Malformed) {
        guard forEachSubidentifier(of: content, { _ in }) else { throw Malformed() }
    }

    /// Calls `body` with each subidentifier of an OBJECT IDENTIFIER's content, in order (the first still holding the first
    /// two arcs); false, after the ones read, when the content is not a valid one.
    static func forEachSubidentifier(of content: UnsafeBufferPointer<UInt8>, _ body: (UInt) -> Void) -> Bool {
        var index = 0
        while index < content.count {
            guard let value = readBase128(content, at: &index, end: content.count) else { return false }
            body(value)
        }
        return !content.isEmpty
    }

    // MARK: - One element

    private mutating func readElement() throws(Malformed) -> Element {
        let start = position
        var index = position
        guard let (identifier, length) = Self.header(buffer, at: &index, end: end) else { throw Malformed() }
        position = index + length
        return Element(identifier: identifier, content: index..<position, encoded: start..<position)
    }

    /// PERF-19: the identifier octet and content length of the element at `index` (moved past its header), when the
    /// header is DER and the content lies before `end`: long-form tags only for numbers of 31 and more, no
    /// `[UNIVERSAL 0]`, a definite length in its shortest form.
    private static func header(_ buffer: UnsafeBufferPointer<UInt8>, at index: inout Int, end: Int) -> (UInt8, Int)? {
        guard index < end else { return nil }
        let identifier = buffer[index]
        index += 1
        if identifier & 0x1F == 0x1F {
            guard let number = readBase128(buffer, at: &index, end: end), number >= 0x1F else { return nil }
        } else if identifier & 0xDF == 0 {
            return nil  // [UNIVERSAL 0] is the end-of-contents marker, never an element
        }
        guard index < end else { return nil }
        let first = buffer[index]
        index += 1
        var length = Int(first)
        if first & 0x80 != 0 {
            let octets = Int(first & 0x7F)
            // 0x80 is the indefinite form, which DER does not have; more than eight octets do not fit.
            guard octets > 0, octets <= 8, end - index >= octets else { return nil }
            var value: UInt = 0
            for position in index..<index + octets { value = value << 8 | UInt(buffer[position]) }
            index += octets
            // Shortest form: below 128 the short form, otherwise no leading zero octet.
            let bits = UInt.bitWidth - value.leadingZeroBitCount
            guard bits >= 8, (bits + 7) / 8 >= octets, let exact = Int(exactly: value) else { return nil }
            length = exact
        }
        guard end - index >= length else { return nil }
        return (identifier, length)
    }

    /// One base-128 number (a long-form tag number or an OID subidentifier) at `index`: closed before `end`, no
    /// leading 0x80, at most nine octets.
    private static func readBase128(_ buffer: UnsafeBufferPointer<UInt8>, at index: inout Int, end: Int) -> UInt? {
        guard index < end, buffer[index] != 0x80 else { return nil }
        var value: UInt = 0
        var octets = 0
        while index < end {
            let octet = buffer[index]
            index += 1
            octets += 1
            value = value << 7 | UInt(octet & 0x7F)
            if octet & 0x80 == 0 { return (octets * 7 + 7) / 8 <= MemoryLayout<UInt>.size ? value : nil }
        }
        return nil
    }
}
