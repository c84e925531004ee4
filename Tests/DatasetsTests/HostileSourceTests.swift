import Foundation
import Testing
import TestSupport

@testable import Datasets

/// Sources holding files that must not be read: devices, FIFOs, oversized files, links and
/// entries whose paths climb out of the archive.
@Suite struct HostileSourceTests {
  static let good = FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 4))
  static let oversized = [UInt8](repeating: 0, count: SourceLoader.maxImageFileBytes + 1)

  /// A tar whose members are given with their ustar type flag and link target.
  static func tar(_ members: [(name: String, bytes: [UInt8], type: Character, link: String)])
    -> [UInt8]
  {
    var out: [UInt8] = []
    for member in members {
      var one = Array(FixtureBuilders.tar([.file(member.name, member.bytes)]).dropLast(1024))
      one[156] = member.type.asciiValue ?? 0x30
      for (i, byte) in member.link.utf8.enumerated() { one[157 + i] = byte }
      for i in 148..<156 { one[i] = 0x20 }
      let sum = one[0..<512].reduce(0) { $0 + Int($1) }
      let digits = String(sum, radix: 8)
      let checksum = String(repeating: "0", count: 6 - digits.count) + digits
      for (i, byte) in checksum.utf8.enumerated() { one[148 + i] = byte }
      one[154] = 0
      out += one
    }
    return out + [UInt8](repeating: 0, count: 1024)
  }

  @Test(arguments: ["/dev/zero", "fifo"])
  func sourceThatIsNotARegularFileIsRefused(_ name: String) throws {
    let folder = TemporaryFolder()
    let path = name == "fifo" ? folder.path + "/images-idx3-ubyte" : name
    if name == "fifo" { try #require(mkfifo(path, 0o600) == 0) }
    #expect(throws: DatasetError.notRegularFile(path: path)) {
      try SourceLoader.load(path)
    }
    #expect(DatasetError.notRegularFile(path: path).description == "\(path): not a regular file")
  }

  @Test func folderWalkSkipsFIFOsAndOversizedFilesWithoutReadingThem() throws {
    let folder = TemporaryFolder()
    _ = folder.write(Self.good, "data/A/good.png")
    _ = folder.write(Self.oversized, "data/B/big.png")
    try FileManager.default.createDirectory(
      atPath: folder.path + "/data/C", withIntermediateDirectories: true)
    try #require(mkfifo(folder.path + "/data/C/x.png", 0o600) == 0)

    let loaded = try SourceLoader.load(folder.path + "/data")

    #expect(loaded.images.names == ["A/good.png"])
    #expect(
      loaded.skipped == [
        SkippedEntry(entry: "B/big.png", reason: .tooLarge(bytes: 1_048_577)),
        SkippedEntry(entry: "C/x.png", reason: .notRegularFile("FIFO")),
      ])
    #expect(
      SkipReason.tooLarge(bytes: 1_048_577).description
        == "file too large for a 28x28 PNG (1048577 bytes)")
  }

  @Test(arguments: ["big.tar", "big.zip"])
  func oversizedArchiveEntriesAreSkippedBySize(_ name: String) throws {
    let folder = TemporaryFolder()
    let members: [FixtureBuilders.ArchiveMember] = [
      .file("x/A/good.png", Self.good), .file("x/A/big.png", Self.oversized),
    ]
    let bytes = name.hasSuffix(".zip") ? FixtureBuilders.zip(members) : FixtureBuilders.tar(members)
    let path = folder.write(bytes, name)

    let loaded = try SourceLoader.load(path)

    #expect(loaded.images.names == ["x/A/good.png"])
    #expect(
      loaded.skipped == [SkippedEntry(entry: "x/A/big.png", reason: .tooLarge(bytes: 1_048_577))])
  }

  @Test func tarLinksDevicesFIFOsAndUnsafePathsAreReportedNotRead() throws {
    let folder = TemporaryFolder()
    let path = folder.write(
      Self.tar([
        ("x/A/good.png", Self.good, "0", ""),
        ("x/A/soft.png", [], "2", "/etc/passwd"),
        ("x/A/hard.png", [], "1", "x/A/good.png"),
        ("x/B/dev.png", [], "3", ""),
        ("x/B/pipe.png", [], "6", ""),
        ("../C/up.png", Self.good, "0", ""),
        ("/D/root.png", Self.good, "0", ""),
        ("x/notes/soft", [], "2", "/etc/passwd"),
      ]), "links.tar")

    let loaded = try SourceLoader.load(path)

    #expect(loaded.images.names == ["x/A/good.png"])
    #expect(
      loaded.skipped == [
        SkippedEntry(entry: "x/A/soft.png", reason: .notRegularFile("symbolic link")),
        SkippedEntry(entry: "x/A/hard.png", reason: .notRegularFile("hard link")),
        SkippedEntry(entry: "x/B/dev.png", reason: .notRegularFile("character device")),
        SkippedEntry(entry: "x/B/pipe.png", reason: .notRegularFile("FIFO")),
        SkippedEntry(entry: "../C/up.png", reason: .unsafePath),
        SkippedEntry(entry: "/D/root.png", reason: .unsafePath),
      ])
  }

  @Test func zipSymlinksAndUnsafePathsAreReportedNotRead() throws {
    let folder = TemporaryFolder()
    var bytes = FixtureBuilders.zip([
      .file("x/A/soft.png", Array("/etc/passwd".utf8)), .file("x/A/good.png", Self.good),
      .file("../C/up.png", Self.good),
    ])
    // Mark the first member a Unix symbolic link: "made by" Unix, mode 0o120777.
    let end = bytes.count - 22
    let central = bytes[(end + 16)..<(end + 20)].reversed().reduce(0) { $0 << 8 | Int($1) }
    bytes[central + 5] = 3
    let mode = UInt32(0o120777) << 16
    for i in 0..<4 { bytes[central + 38 + i] = UInt8(truncatingIfNeeded: mode >> (8 * i)) }
    let path = folder.write(bytes, "links.zip")

    let loaded = try SourceLoader.load(path)

    #expect(loaded.images.names == ["x/A/good.png"])
    #expect(
      loaded.skipped == [
        SkippedEntry(entry: "x/A/soft.png", reason: .notRegularFile("symbolic link")),
        SkippedEntry(entry: "../C/up.png", reason: .unsafePath),
      ])
    #expect(SkipReason.unsafePath.description == "unsafe path")
  }
}
