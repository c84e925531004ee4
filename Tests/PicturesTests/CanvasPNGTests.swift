import Foundation
import Testing

@testable import Pictures

@Suite struct CanvasPNGTests {
  static func sampleCanvas() -> Canvas {
    var canvas = Canvas(width: 7, height: 5)
    canvas.fill(PixelRect(x: 2, y: 1, width: 3, height: 2), with: RGBColor(hex: 0x123456))
    canvas[6, 4] = RGBColor(hex: 0xFF8000)
    return canvas
  }

  @Test func encodedBytesAreAnRGBPNGOfTheCanvasSize() throws {
    let png = try DecodedPNG(Self.sampleCanvas().pngData())

    #expect(png.width == 7)
    #expect(png.height == 5)
    #expect(png.bitDepth == 8)
    #expect(png.colorType == 2)
  }

  @Test func pixelsSurviveTheRoundTripThroughLibpng() throws {
    let canvas = Self.sampleCanvas()
    let png = try DecodedPNG(canvas.pngData())

    #expect(png.pixels == canvas.pixels)
    #expect(Array(png.pixels[(3 * (1 * 7 + 2))..<(3 * (1 * 7 + 2) + 3)]) == [0x12, 0x34, 0x56])
  }

  @Test func writeReplacesTheFileAndLeavesNoTemporaryBehind() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("chart.png")
    try Data("old".utf8).write(to: url)
    try Self.sampleCanvas().writePNG(to: url)

    let png = try DecodedPNG([UInt8](Data(contentsOf: url)))
    #expect(png.pixels == Self.sampleCanvas().pixels)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["chart.png"])
  }

  @Test func writeIntoAMissingDirectoryNamesThePath() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("missing/chart.png")

    do {
      try Self.sampleCanvas().writePNG(to: url)
      Issue.record("wrote into a missing directory")
    } catch {
      guard case .io(let path, let operation, let reason) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(path.hasPrefix(directory.url.path + "/missing/.chart.png.tmp-"))
      #expect(operation == "open")
      #expect(reason == "No such file or directory")
    }
  }

  @Test func failedRenameKeepsTheOldEntryAndRemovesTheTemporary() throws {
    let directory = try TemporaryDirectory()
    let target = directory.file("taken.png")
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
    try Data("keep".utf8).write(to: target.appendingPathComponent("inside"))

    #expect(
      throws: PicturesError.io(path: target.path, operation: "rename", reason: "Is a directory")
    ) { try Self.sampleCanvas().writePNG(to: target) }
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["taken.png"])
  }

  @Test func ioErrorMessageNamesPathOperationAndReason() {
    let error = PicturesError.io(path: "/tmp/x.png", operation: "rename", reason: "Is a directory")
    #expect(error.description == "/tmp/x.png: rename failed: Is a directory")
  }
}
