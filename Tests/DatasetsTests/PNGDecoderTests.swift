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

extension PNGDecoderTests {
  static let valid = FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 1))
  static let header =
    FixtureBuilders.pngSignature
    + FixtureBuilders.pngChunk(
      "IHDR", FixtureBuilders.ihdr(width: 28, height: 28, bitDepth: 8, colorType: 0))
  static let grayRows = [UInt8]((0..<28).flatMap { _ in [0] + [UInt8](repeating: 9, count: 28) })

  static let brokenCases: [BrokenPNGCase] = [
    BrokenPNGCase(name: "empty file", bytes: [], reason: .empty),
    BrokenPNGCase(name: "JPEG bytes", bytes: [0xFF, 0xD8, 0xFF, 0xE0, 0, 16], reason: .notPNG),
    BrokenPNGCase(name: "signature only, cut", bytes: [0x89, 0x50, 0x4E], reason: .notPNG),
    BrokenPNGCase(name: "cut inside IDAT", bytes: Array(valid.prefix(200)), reason: .truncated),
    BrokenPNGCase(name: "IEND missing", bytes: Array(valid.dropLast(12)), reason: .truncated),
    BrokenPNGCase(
      name: "bit flipped in IDAT",
      bytes: {
        var b = valid; b[60] ^= 0x10; return b
      }(),
      reason: .corrupt("CRC mismatch in IDAT chunk at byte 33")),
    BrokenPNGCase(
      name: "first chunk not IHDR",
      bytes: FixtureBuilders.pngSignature + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("first chunk is IEND")),
    BrokenPNGCase(
      name: "bit depth 3",
      bytes: FixtureBuilders.pngSignature
        + FixtureBuilders.pngChunk(
          "IHDR", FixtureBuilders.ihdr(width: 28, height: 28, bitDepth: 3, colorType: 0)),
      reason: .corrupt("IHDR bit depth 3 for colour type 0")),
    BrokenPNGCase(
      name: "colour type 5",
      bytes: FixtureBuilders.pngSignature
        + FixtureBuilders.pngChunk(
          "IHDR", FixtureBuilders.ihdr(width: 28, height: 28, bitDepth: 8, colorType: 5)),
      reason: .corrupt("IHDR colour type 5")),
    BrokenPNGCase(
      name: "32x28 image",
      bytes: FixtureBuilders.grayPNG([UInt8](repeating: 7, count: 32 * 28), width: 32),
      reason: .wrongSize(width: 32, height: 28)),
    BrokenPNGCase(
      name: "row filter 7",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", FixtureBuilders.zlib([7] + Array(grayRows.dropFirst())))
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("row filter type 7")),
    BrokenPNGCase(
      name: "too little image data",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", FixtureBuilders.zlib(Array(grayRows.prefix(100))))
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("image data ends early (100 of 812 bytes)")),
    BrokenPNGCase(
      name: "zlib checksum wrong",
      bytes: header
        + FixtureBuilders.pngChunk("IDAT", Array(FixtureBuilders.zlib(grayRows).dropLast()) + [0])
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("zlib: incorrect data check")),
    BrokenPNGCase(
      name: "not a zlib stream",
      bytes: header + FixtureBuilders.pngChunk("IDAT", [0x12, 0x34, 0x56])
        + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("zlib: incorrect header check")),
    BrokenPNGCase(
      name: "no IDAT",
      bytes: header + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("no IDAT chunk")),
    BrokenPNGCase(
      name: "unknown critical chunk",
      bytes: header + FixtureBuilders.pngChunk("ABCD", [1]) + FixtureBuilders.pngChunk("IEND", []),
      reason: .corrupt("unknown critical chunk ABCD")),
    BrokenPNGCase(
      name: "palette image without PLTE",
      bytes: FixtureBuilders.png(
        width: 28, height: 28, bitDepth: 8, colorType: 3,
        rows: [[UInt8]](repeating: [UInt8](repeating: 0, count: 28), count: 28)),
      reason: .corrupt("IDAT before PLTE")),
  ]

  @Test(arguments: brokenCases)
  func skipsBrokenFileWithReason(_ testCase: BrokenPNGCase) {
    #expect(PNGDecoder().decode(testCase.bytes) == .skipped(testCase.reason))
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
