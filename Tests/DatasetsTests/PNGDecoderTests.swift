import Foundation
import Testing
import TestSupport

@testable import Datasets

/// The folder of committed fixtures.
let fixturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures").path

@Suite struct PNGDecoderTests {
  /// The kinds in `Fixtures/png_kinds.txt`, in file order.
  static let kinds = [
    "gray8", "gray1", "gray16", "gray_alpha8", "rgb8", "rgba8", "palette8", "palette4",
    "palette2", "palette_transparency", "gray2", "gray4", "gray8_interlaced",
    "gray4_interlaced", "gray_alpha16", "rgb16", "rgba16_interlaced", "gray8_gamma",
  ]

  @Test func fixtureKindListMatchesTheFixtureFolder() throws {
    let listed = try String(contentsOfFile: fixturesFolder + "/png_kinds.txt", encoding: .utf8)
      .split(separator: "\n").map(String.init)
    #expect(listed == Self.kinds)
  }

  @Test(arguments: Array(kinds.enumerated()))
  func decodesLikePillowConvertL(position: Int, kind: String) throws {
    let expectedAll = try Gzip.decompress(
      FileIO.read(fixturesFolder + "/pillow_expected_L.gz"), path: "pillow_expected_L.gz")
    let expected = Array(expectedAll[(position * 784)..<((position + 1) * 784)])
    let bytes = try FileIO.read(fixturesFolder + "/png/\(kind).png")

    let outcome = PNGDecoder().decode(bytes)

    guard case .image(let pixels) = outcome else {
      Issue.record("\(kind): \(outcome)")
      return
    }
    let mismatches = zip(pixels, expected).filter { $0 != $1 }.count
    #expect(mismatches == 0, "\(kind): \(mismatches) of 784 pixels differ from Pillow")
    // A decoder that returned a constant image would also match a constant fixture.
    #expect(Set(expected).count > 1)
  }

  @Test func decodesGrayPNGWithStoredDeflate() {
    let pixels = FixtureBuilders.pattern(seed: 3)
    #expect(PNGDecoder().decode(FixtureBuilders.grayPNG(pixels)) == .image(pixels))
  }

  @Test func oneDecoderDecodesManyImagesInARow() {
    let decoder = PNGDecoder()
    for seed in 0..<5 {
      let pixels = FixtureBuilders.pattern(seed: seed)
      #expect(decoder.decode(FixtureBuilders.grayPNG(pixels)) == .image(pixels))
      #expect(decoder.decode([1, 2, 3]) == .skipped(.notPNG))
    }
  }

  @Test func paletteIndexBeyondThePaletteIsBlack() {
    let palette = FixtureBuilders.pngChunk("PLTE", [255, 255, 255, 10, 20, 30])
    let rows = [[UInt8]](repeating: [UInt8](repeating: 1, count: 27) + [5], count: 28)
    let png = FixtureBuilders.png(
      width: 28, height: 28, bitDepth: 8, colorType: 3, rows: rows, beforeData: [palette])

    guard case .image(let pixels) = PNGDecoder().decode(png) else {
      Issue.record("palette image not decoded")
      return
    }
    // Luma of (10, 20, 30): (10*19595 + 20*38470 + 30*7471 + 32768) >> 16 = 18. Pillow 13
    // gives the same 18 and 0 for this file.
    #expect(pixels[0] == 18)
    #expect(pixels[27] == 0)
  }
}

// MARK: - Broken files

/// One broken PNG and the reason the decoder must give.
struct BrokenPNGCase: CustomTestStringConvertible, Sendable {
  var name: String
  var bytes: [UInt8]
  var reason: SkipReason
  var testDescription: String { name }
}

/// A PNG with a flaw that Pillow reads past; it must decode.
struct ToleratedPNGCase: CustomTestStringConvertible, Sendable {
  var name: String
  var bytes: [UInt8]
  var testDescription: String { name }
}

extension PNGDecoderTests {
  static let valid = FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 1))
  static let header =
    FixtureBuilders.pngSignature
    + FixtureBuilders.pngChunk(
      "IHDR", FixtureBuilders.ihdr(width: 28, height: 28, bitDepth: 8, colorType: 0))
  static let grayRows = [UInt8]((0..<28).flatMap { _ in [0] + [UInt8](repeating: 9, count: 28) })

  /// Pillow 13 rejects these too, except six it decodes: "IEND missing", "IDAT CRC wrong",
  /// "IEND CRC wrong", "data after the zlib stream", "more image data than rows" and "palette
  /// image without PLTE".
  static let brokenCases: [BrokenPNGCase] = [
    BrokenPNGCase(name: "empty file", bytes: [], reason: .empty),
    BrokenPNGCase(name: "JPEG bytes", bytes: [0xFF, 0xD8, 0xFF, 0xE0, 0, 16], reason: .notPNG),
    BrokenPNGCase(name: "signature only, cut", bytes: [0x89, 0x50, 0x4E], reason: .notPNG),
    BrokenPNGCase(name: "cut inside IDAT", bytes: Array(valid.prefix(200)), reason: .truncated),
    BrokenPNGCase(name: "IEND missing", bytes: Array(valid.dropLast(12)), reason: .truncated),
    // libpng inflates a chunk before it checks the chunk's CRC, so a flipped pixel byte is
    // caught by the zlib checksum first.
    BrokenPNGCase(
      name: "bit flipped in IDAT",
      bytes: {
        var b = valid; b[60] ^= 0x10; return b
      }(),
      reason: .corrupt("IDAT: incorrect data check")),
    BrokenPNGCase(
      name: "IDAT CRC wrong",
      bytes: {
        var b = valid; b[b.count - 13] ^= 0x01; return b
      }(),
      reason: .corrupt("IDAT: CRC error")),
    BrokenPNGCase(
      name: "IHDR CRC wrong",
      bytes: {
        var b = valid; b[29] ^= 0x01; return b
      }(),
      reason: .corrupt("IHDR: CRC error")),
    BrokenPNGCase(
      name: "IEND CRC wrong",
      bytes: Array(valid.dropLast(12)) + FixtureBuilders.pngChunk("IEND", [], crc: 0),
      reason: .corrupt("IEND: CRC error")),
    BrokenPNGCase(
      name: "ancillary chunk with a bad CRC before IDAT",
      bytes: header + FixtureBuilders.pngChunk("tEXt", Array("a\u{0}b".utf8), crc: 0)
        + FixtureBuilders.pngChunk("IDAT", FixtureBuilders.zlib(grayRows))
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("tEXt: CRC error")),
    BrokenPNGCase(
      name: "first chunk not IHDR",
      bytes: FixtureBuilders.pngSignature + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("IEND: out of place")),
    BrokenPNGCase(
      name: "bit depth 3",
      bytes: FixtureBuilders.pngSignature
        + FixtureBuilders.pngChunk(
          "IHDR", FixtureBuilders.ihdr(width: 28, height: 28, bitDepth: 3, colorType: 0)),
      reason: .corrupt("Invalid IHDR data (Invalid bit depth in IHDR)")),
    BrokenPNGCase(
      name: "colour type 5",
      bytes: FixtureBuilders.pngSignature
        + FixtureBuilders.pngChunk(
          "IHDR", FixtureBuilders.ihdr(width: 28, height: 28, bitDepth: 8, colorType: 5)),
      reason: .corrupt("Invalid IHDR data (Invalid color type in IHDR)")),
    BrokenPNGCase(
      name: "32x28 image",
      bytes: FixtureBuilders.grayPNG([UInt8](repeating: 7, count: 32 * 28), width: 32),
      reason: .wrongSize(width: 32, height: 28)),
    BrokenPNGCase(
      name: "row filter 7",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", FixtureBuilders.zlib([7] + Array(grayRows.dropFirst())))
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("bad adaptive filter value")),
    BrokenPNGCase(
      name: "too little image data",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", FixtureBuilders.zlib(Array(grayRows.prefix(100))))
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("Not enough image data")),
    BrokenPNGCase(
      name: "zlib checksum wrong",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", Array(FixtureBuilders.zlib(grayRows).dropLast()) + [0])
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("IDAT: incorrect data check")),
    BrokenPNGCase(
      name: "not a zlib stream",
      bytes: header + FixtureBuilders.pngChunk("IDAT", [0x12, 0x34, 0x56])
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("IDAT: incorrect header check")),
    BrokenPNGCase(
      name: "data after the zlib stream",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", FixtureBuilders.zlib(grayRows) + [1, 2, 3])
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("IDAT: Extra compressed data")),
    BrokenPNGCase(
      name: "more image data than rows",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", FixtureBuilders.zlib(grayRows + [0, 9, 9]))
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("IDAT: Too much image data")),
    BrokenPNGCase(
      name: "no IDAT",
      bytes: header + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("IEND: out of place")),
    BrokenPNGCase(
      name: "unknown critical chunk",
      bytes: header + FixtureBuilders.pngChunk("ABCD", [1]) + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("ABCD: unhandled critical chunk")),
    BrokenPNGCase(
      name: "palette image without PLTE",
      bytes: FixtureBuilders.png(
        width: 28, height: 28, bitDepth: 8, colorType: 3,
        rows: [[UInt8]](repeating: [UInt8](repeating: 0, count: 28), count: 28)),
      reason: .corrupt("IDAT: Missing PLTE before IDAT")),
  ]

  @Test(arguments: brokenCases)
  func skipsBrokenFileWithReason(_ testCase: BrokenPNGCase) {
    #expect(PNGDecoder().decode(testCase.bytes) == .skipped(testCase.reason))
  }

  /// An 8-bit gray 28x28 PNG of `tolerated` pixels, with extra chunks before and after the
  /// image data and the data split into `parts` IDAT chunks.
  static func grayFile(
    before: [[UInt8]] = [], parts: Int = 1, after: [[UInt8]] = [],
    end: [UInt8] = FixtureBuilders.pngChunk("IEND", [])
  ) -> [UInt8] {
    let pixels = tolerated
    let rows = (0..<28).flatMap { [0] + pixels[($0 * 28)..<(($0 + 1) * 28)] }
    let stream = FixtureBuilders.zlib(rows)
    let cut = stream.count / parts
    let data = (0..<parts).flatMap { part in
      let upper = part == parts - 1 ? stream.count : (part + 1) * cut
      return FixtureBuilders.pngChunk("IDAT", Array(stream[(part * cut)..<upper]))
    }
    let ihdr = FixtureBuilders.pngChunk(
      "IHDR", FixtureBuilders.ihdr(width: 28, height: 28, bitDepth: 8, colorType: 0))
    return FixtureBuilders.pngSignature + ihdr + before.flatMap { $0 } + data
      + after.flatMap { $0 } + end
  }

  static let tolerated = FixtureBuilders.pattern(seed: 5)

  /// Flaws Pillow 13 reads past (each checked with `Image.open(...).convert("L")`).
  static let toleratedCases: [ToleratedPNGCase] = [
    ToleratedPNGCase(
      name: "ancillary chunk with a bad CRC after IDAT",
      bytes: grayFile(after: [FixtureBuilders.pngChunk("tEXt", Array("a\u{0}b".utf8), crc: 0)])),
    ToleratedPNGCase(name: "image data in three IDAT chunks", bytes: grayFile(parts: 3)),
    ToleratedPNGCase(
      name: "PLTE in a gray image",
      bytes: grayFile(before: [FixtureBuilders.pngChunk("PLTE", [1, 2, 3])])),
    ToleratedPNGCase(
      name: "tRNS of the wrong length",
      bytes: grayFile(before: [FixtureBuilders.pngChunk("tRNS", [0, 9, 1])])),
    ToleratedPNGCase(
      name: "invalid gAMA, sRGB and iCCP",
      bytes: grayFile(before: [
        FixtureBuilders.pngChunk("gAMA", [0, 0, 0, 0]), FixtureBuilders.pngChunk("sRGB", [9]),
        FixtureBuilders.pngChunk("iCCP", Array("x\u{0}\u{0}junk".utf8)),
      ])),
    ToleratedPNGCase(
      name: "IEND with a body",
      bytes: grayFile(end: FixtureBuilders.pngChunk("IEND", [1]))),
    ToleratedPNGCase(name: "bytes after IEND", bytes: grayFile() + [1, 2, 3]),
    ToleratedPNGCase(
      name: "ancillary chunk before IHDR",
      bytes: FixtureBuilders.pngSignature + FixtureBuilders.pngChunk("tEXt", Array("a\u{0}b".utf8))
        + grayFile().dropFirst(8)),
  ]

  @Test(arguments: toleratedCases)
  func decodesFileWithAFlawPillowReadsPast(_ testCase: ToleratedPNGCase) {
    #expect(PNGDecoder().decode(testCase.bytes) == .image(Self.tolerated))
  }

  @Test func ancillaryChunksAreIgnored() {
    let pixels = FixtureBuilders.pattern(seed: 4)
    let rows = (0..<28).map { Array(pixels[($0 * 28)..<(($0 + 1) * 28)]) }
    let text = FixtureBuilders.pngChunk("tEXt", Array("Comment\u{0}hello".utf8))
    let png = FixtureBuilders.png(
      width: 28, height: 28, bitDepth: 8, colorType: 0, rows: rows, beforeData: [text])
    #expect(PNGDecoder().decode(png) == .image(pixels))
  }
}
