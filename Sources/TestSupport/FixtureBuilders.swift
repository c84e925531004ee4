import Foundation

/// Byte builders for data-file fixtures: PNG, gzip, zlib, tar (ustar), zip and idx.
///
/// Everything is written in plain Swift with stored (uncompressed) deflate blocks, so fixtures
/// do not depend on the libraries the readers under test use. Checksums (CRC-32, Adler-32) are
/// computed here too, so a test can also build a file with a deliberately wrong one.
public enum FixtureBuilders {
  // MARK: - Checksums

  /// CRC-32 (ISO-HDLC, as in PNG, gzip and zip) of `bytes`.
  public static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  /// Adler-32 (as in zlib streams) of `bytes`.
  public static func adler32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var a: UInt32 = 1
    var b: UInt32 = 0
    for byte in bytes {
      a = (a + UInt32(byte)) % 65521
      b = (b + a) % 65521
    }
    return b << 16 | a
  }

  // MARK: - Deflate containers

  /// A raw deflate stream of stored blocks holding `data`.
  public static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var start = 0
    repeat {
      let end = min(start + 65_535, data.count)
      let length = UInt16(end - start)
      out.append(end == data.count ? 1 : 0)
      out += littleEndian(length) + littleEndian(~length)
      out += data[start..<end]
      start = end
    } while start < data.count
    return out
  }

  /// A zlib stream (header, stored deflate, Adler-32) holding `data`.
  public static func zlib(_ data: [UInt8]) -> [UInt8] {
    [0x78, 0x01] + storedDeflate(data) + bigEndian(adler32(data))
  }

  /// A gzip file (one member, stored deflate, time 0) holding `data`.
  public static func gzip(_ data: [UInt8]) -> [UInt8] {
    [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF] + storedDeflate(data)
      + littleEndian(crc32(data)) + littleEndian(UInt32(truncatingIfNeeded: data.count))
  }

  // MARK: - PNG

  /// One PNG chunk: length, type, body and CRC (or `crc` when given, to build a broken one).
  public static func pngChunk(_ type: String, _ body: [UInt8], crc: UInt32? = nil) -> [UInt8] {
    let typeBytes = Array(type.utf8)
    return bigEndian(UInt32(body.count)) + typeBytes + body
      + bigEndian(crc ?? crc32(typeBytes + body))
  }

  /// The 8-byte PNG signature.
  public static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// An `IHDR` body.
  public static func ihdr(
    width: Int, height: Int, bitDepth: Int, colorType: Int, interlaced: Bool = false
  ) -> [UInt8] {
    bigEndian(UInt32(width)) + bigEndian(UInt32(height))
      + [UInt8(bitDepth), UInt8(colorType), 0, 0, interlaced ? 1 : 0]
  }

  /// A non-interlaced PNG from unfiltered scanlines (each row gets filter type 0).
  /// - Parameters:
  ///   - width: pixels per row.
  ///   - height: rows.
  ///   - bitDepth: bits per sample.
  ///   - colorType: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
  ///   - rows: the packed scanline bytes of each row, without filter bytes.
  ///   - beforeData: chunks placed between `IHDR` and `IDAT` (such as `PLTE`).
  /// - Returns: the PNG file's bytes.
  public static func png(
    width: Int, height: Int, bitDepth: Int, colorType: Int, rows: [[UInt8]],
    beforeData: [[UInt8]] = []
  ) -> [UInt8] {
    let raw = rows.flatMap { [UInt8(0)] + $0 }
    return pngSignature
      + pngChunk(
        "IHDR", ihdr(width: width, height: height, bitDepth: bitDepth, colorType: colorType))
      + beforeData.flatMap { $0 } + pngChunk("IDAT", zlib(raw)) + pngChunk("IEND", [])
  }

  /// An 8-bit grayscale PNG of `pixels` (row-major, `width * height` bytes).
  public static func grayPNG(_ pixels: [UInt8], width: Int = 28, height: Int = 28) -> [UInt8] {
    precondition(pixels.count == width * height, "grayPNG needs \(width * height) pixels")
    let rows = (0..<height).map { Array(pixels[($0 * width)..<(($0 + 1) * width)]) }
    return png(width: width, height: height, bitDepth: 8, colorType: 0, rows: rows)
  }

  /// A 28x28 glyph-like test pattern that differs for each `seed`.
  public static func pattern(seed: Int) -> [UInt8] {
    (0..<784).map { index in
      let x = index % 28
      let y = index / 28
      return UInt8(truncatingIfNeeded: (x * (seed % 7 + 1) + y * (seed % 5 + 3) + seed * 37) * 5)
    }
  }

  // MARK: - Archives

  /// One member of a tar or zip fixture.
  public struct ArchiveMember: Sendable {
    /// The member's path inside the archive.
    public var name: String
    /// The file's bytes (ignored for folders).
    public var bytes: [UInt8]
    /// Whether the member is a folder entry.
    public var isFolder: Bool

    /// A file member.
    public static func file(_ name: String, _ bytes: [UInt8]) -> ArchiveMember {
      ArchiveMember(name: name, bytes: bytes, isFolder: false)
    }

    /// A folder member (its name should end with `/`).
    public static func folder(_ name: String) -> ArchiveMember {
      ArchiveMember(name: name, bytes: [], isFolder: true)
    }
  }

  /// A ustar archive of `members`.
  ///
  /// Names over 100 bytes are split into the `prefix` and `name` fields at a
  /// `/`, as POSIX ustar requires.
  /// - Precondition: every name fits ustar (at most 100 bytes after the last usable `/`, 155
  ///   before it).
  public static func tar(_ members: [ArchiveMember]) -> [UInt8] {
    var out: [UInt8] = []
    for member in members {
      var header = [UInt8](repeating: 0, count: 512)
      let (prefix, name) = splitUstarName(member.name)
      put(name, into: &header, at: 0, width: 100)
      put(member.isFolder ? "0000755" : "0000644", into: &header, at: 100, width: 8)
      put("0000000", into: &header, at: 108, width: 8)
      put("0000000", into: &header, at: 116, width: 8)
      put(
        octal(member.isFolder ? 0 : member.bytes.count, digits: 11), into: &header, at: 124,
        width: 12)
      put(octal(1_300_000_000, digits: 11), into: &header, at: 136, width: 12)
      header[156] = member.isFolder ? 0x35 : 0x30
      put("ustar", into: &header, at: 257, width: 6)
      put("00", into: &header, at: 263, width: 2)
      put(prefix, into: &header, at: 345, width: 155)
      for i in 148..<156 { header[i] = 0x20 }
      let sum = header.reduce(0) { $0 + Int($1) }
      put(octal(sum, digits: 6), into: &header, at: 148, width: 7)
      out += header
      if !member.isFolder {
        out += member.bytes
        out += [UInt8](repeating: 0, count: (512 - member.bytes.count % 512) % 512)
      }
    }
    return out + [UInt8](repeating: 0, count: 1024)
  }

  /// A zip archive with stored (uncompressed) members.
  public static func zip(_ members: [ArchiveMember]) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for member in members {
      let name = Array(member.name.utf8)
      let data = member.isFolder ? [] : member.bytes
      let crc = crc32(data)
      let offset = UInt32(out.count)
      let common: [UInt8] =
        littleEndian(UInt16(20)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))
        + littleEndian(UInt16(0)) + littleEndian(UInt16(0x21)) + littleEndian(crc)
        + littleEndian(UInt32(data.count)) + littleEndian(UInt32(data.count))
        + littleEndian(UInt16(name.count)) + littleEndian(UInt16(0))
      out += littleEndian(UInt32(0x0403_4B50)) + common + name + data
      central +=
        littleEndian(UInt32(0x0201_4B50)) + littleEndian(UInt16(20)) + common
        + littleEndian(UInt16(0)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))
        + littleEndian(UInt32(member.isFolder ? 0x10 : 0)) + littleEndian(offset) + name
    }
    let centralOffset = UInt32(out.count)
    out += central
    out +=
      littleEndian(UInt32(0x0605_4B50)) + littleEndian(UInt16(0)) + littleEndian(UInt16(0))
      + littleEndian(UInt16(members.count)) + littleEndian(UInt16(members.count))
      + littleEndian(UInt32(central.count)) + littleEndian(centralOffset) + littleEndian(UInt16(0))
    return out
  }

  // MARK: - idx

  /// An idx3 images file: `[0x00000803, count, rows, columns]` then the pixels.
  public static func idxImages(
    _ pixels: [UInt8], count: Int, rows: Int = 28, columns: Int = 28, magic: UInt32 = 0x0803
  ) -> [UInt8] {
    bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows))
      + bigEndian(UInt32(columns)) + pixels
  }

  /// An idx1 labels file: `[0x00000801, count]` then the labels.
  public static func idxLabels(_ labels: [UInt8], magic: UInt32 = 0x0801) -> [UInt8] {
    bigEndian(magic) + bigEndian(UInt32(labels.count)) + labels
  }

  // MARK: - Files

  /// Creates a new empty temporary folder and returns its path.
  public static func makeTemporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "notmnist-fixture-" + UUID().uuidString
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      preconditionFailure("cannot create \(path): \(error)")
    }
    return path
  }

  /// Writes `bytes` to `path`, creating missing parent folders.
  public static func write(_ bytes: [UInt8], to path: String) {
    let url = URL(fileURLWithPath: path)
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(bytes).write(to: url)
    } catch {
      preconditionFailure("cannot write \(path): \(error)")
    }
  }

  /// Removes a folder tree made by ``makeTemporaryFolder()``.
  public static func removeFolder(_ path: String) {
    precondition(path.contains("notmnist-fixture-"), "refusing to remove \(path)")
    try? FileManager.default.removeItem(atPath: path)
  }

  // MARK: - Helpers

  private static func bigEndian(_ value: UInt32) -> [UInt8] {
    [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }
  }

  private static func littleEndian(_ value: UInt32) -> [UInt8] {
    [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }
  }

  private static func littleEndian(_ value: UInt16) -> [UInt8] {
    [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
  }

  private static func octal(_ value: Int, digits: Int) -> String {
    let text = String(value, radix: 8)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
  }

  private static func put(_ text: String, into header: inout [UInt8], at offset: Int, width: Int) {
    let bytes = Array(text.utf8)
    precondition(bytes.count <= width, "\(text) does not fit a \(width)-byte tar field")
    for (i, byte) in bytes.enumerated() { header[offset + i] = byte }
  }

  private static func splitUstarName(_ name: String) -> (prefix: String, name: String) {
    let bytes = Array(name.utf8)
    guard bytes.count > 100 else { return ("", name) }
    for split in stride(from: bytes.count - 1, through: 0, by: -1) where bytes[split] == 0x2F {
      let prefix = bytes[..<split]
      let rest = bytes[(split + 1)...]
      if prefix.count <= 155 && rest.count <= 100 && !rest.isEmpty {
        return (String(decoding: prefix, as: UTF8.self), String(decoding: rest, as: UTF8.self))
      }
    }
    preconditionFailure("\(name) cannot be stored in a ustar header")
  }
}
