import Testing

@testable import Datasets

@Suite struct GlyphRasterizerTests {
  /// The image the fixture glyph for `A` must give.
  ///
  /// The glyph is a 700-unit square with a 200-unit hole at (50, 50) from its bottom-left
  /// corner. Stretched to 28x28, one unit is 0.04 pixels: the hole covers columns
  /// 2..<10 and, counting rows from the top, rows 18..<26.
  static func expectedHoledA() -> [UInt8] {
    (0..<28).flatMap { row in
      (0..<28).map { column in (2..<10).contains(column) && (18..<26).contains(row) ? 0 : 255 }
    }
  }

  @Test func stretchedSquareWithHoleMatchesTheWorkedOutImage() throws {
    let rasterizer = try GlyphRasterizer()
    let outcome = rasterizer.render(
      path: FontFixtures.path("Holes.ttf"), faceIndex: 0, letters: ["A"], size: 28, fit: .stretch)
    guard case .rendered(let images) = outcome else {
      Issue.record("expected images, got \(outcome)")
      return
    }
    let expected = Self.expectedHoledA()
    let worst = zip(images[0], expected).map { abs(Int($0) - Int($1)) }.max() ?? 255
    // Edges fall mid-pixel in the large render; the estimated sub-pixel ink box is off by at
    // most a few hundredths of an output pixel, which shows as a small error along the edges.
    #expect(images.count == 1)
    #expect(worst <= 12, "largest pixel difference \(worst)")
  }

  @Test func aspectFitKeepsTheSquareInASquareImage() throws {
    let rasterizer = try GlyphRasterizer()
    let outcome = rasterizer.render(
      path: FontFixtures.path("Holes.ttf"), faceIndex: 0, letters: ["A"], size: 28, fit: .aspect)
    guard case .rendered(let images) = outcome else {
      Issue.record("expected images, got \(outcome)")
      return
    }
    // The glyph is square, so both fits agree.
    let worst = zip(images[0], Self.expectedHoledA()).map { abs(Int($0) - Int($1)) }.max() ?? 255
    #expect(worst <= 12, "largest pixel difference \(worst)")
  }

  @Test(.enabled(if: FontFixtures.hasDejaVuSans))
  func dejaVuSansGivesTenDistinctNonBlankStretchedImages() throws {
    let rasterizer = try GlyphRasterizer()
    let outcome = rasterizer.render(
      path: FontFixtures.dejaVuSans, faceIndex: 0, letters: FontRenderer.notMNISTLetters,
      size: 28, fit: .stretch)
    guard case .rendered(let images) = outcome else {
      Issue.record("expected images, got \(outcome)")
      return
    }
    #expect(images.count == 10)
    #expect(Set(images).count == 10)
    for (letter, image) in zip(FontRenderer.notMNISTLetters, images) {
      let ink = image.filter { $0 > 127 }.count
      #expect((100...784).contains(ink), "\(letter): \(ink) bright pixels")
      // Stretched like notMNIST: the ink reaches every border of the image.
      let top = image[0..<28].max() ?? 0
      let bottom = image[(27 * 28)..<784].max() ?? 0
      let left = stride(from: 0, to: 784, by: 28).map { image[$0] }.max() ?? 0
      let right = stride(from: 27, to: 784, by: 28).map { image[$0] }.max() ?? 0
      #expect(min(top, bottom, left, right) > 127, "\(letter) does not fill the box")
    }
    // The sans-serif I is a plain bar, so stretching turns it into a white square, as in
    // notMNIST.
    let whiteI = images[8]
    #expect(whiteI.allSatisfy { $0 >= 224 }, "darkest pixel \(whiteI.min() ?? 0)")
    #expect(whiteI.filter { $0 == 255 }.count > 600)
  }

  @Test(.enabled(if: FontFixtures.hasDejaVuSans))
  func aspectFitCentresANarrowLetter() throws {
    let rasterizer = try GlyphRasterizer()
    let outcome = rasterizer.render(
      path: FontFixtures.dejaVuSans, faceIndex: 0, letters: ["I"], size: 28, fit: .aspect)
    guard case .rendered(let images) = outcome else {
      Issue.record("expected images, got \(outcome)")
      return
    }
    let columns = (0..<28).map { column in
      stride(from: column, to: 784, by: 28).map { Int(images[0][$0]) }.reduce(0, +)
    }
    let inked = columns.indices.filter { columns[$0] > 0 }
    let first = inked.first ?? 0
    let last = inked.last ?? 27
    #expect(last - first < 8, "an I should be a narrow bar, spans \(first)...\(last)")
    #expect(abs(first - (27 - last)) <= 1, "bar at \(first)...\(last) is not centred")
    #expect(images[0][14 * 28] == 0 && images[0][14 * 28 + 27] == 0)
  }

  struct SkipCase: Sendable, CustomTestStringConvertible {
    let fixture: String
    let reason: FontSkipReason
    var testDescription: String { fixture }
  }

  @Test(arguments: [
    SkipCase(fixture: "OnlyA.ttf", reason: .missingLetter),
    SkipCase(fixture: "BlankB.ttf", reason: .emptyGlyph),
  ])
  func unusableFaceIsSkippedWithItsReason(_ skipCase: SkipCase) throws {
    let rasterizer = try GlyphRasterizer()
    let outcome = rasterizer.render(
      path: FontFixtures.path(skipCase.fixture), faceIndex: 0,
      letters: FontRenderer.notMNISTLetters, size: 28, fit: .stretch)
    guard case .skipped(let reason) = outcome else {
      Issue.record("expected a skip, got images")
      return
    }
    #expect(reason == skipCase.reason)
  }

  @Test func countsTheFacesOfACollection() throws {
    let rasterizer = try GlyphRasterizer()
    #expect(rasterizer.faceCount(atPath: FontFixtures.path("Holes.ttc")) == 2)
    #expect(rasterizer.faceCount(atPath: FontFixtures.path("Holes.ttf")) == 1)
    #expect(rasterizer.faceCount(atPath: FontFixtures.path("make_fonts.py")) == nil)
  }
}
