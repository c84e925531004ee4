import Testing

@testable import Pictures
import TensorCore

@Suite struct ImageGridTests {
  /// A 28x28 image: a bright square in the top-left quarter on a dark background.
  static func glyph(_ brightness: UInt8 = 255) -> [UInt8] {
    (0..<784).map { ($0 / 28 < 14 && $0 % 28 < 14) ? brightness : 0 }
  }

  struct LayoutCase: Sendable, CustomTestStringConvertible {
    var count: Int
    var columns: Int
    var rows: Int
    var testDescription: String { "\(count) images" }
  }

  @Test(arguments: [
    LayoutCase(count: 1, columns: 1, rows: 1), LayoutCase(count: 10, columns: 10, rows: 1),
    LayoutCase(count: 11, columns: 10, rows: 2), LayoutCase(count: 25, columns: 10, rows: 3),
    LayoutCase(count: 0, columns: 1, rows: 0),
  ])
  func layoutSizeFollowsTheImageCount(_ test: LayoutCase) throws {
    let font = try standardFont()
    let grid = ImageGrid(
      images: Array(repeating: Self.glyph(), count: test.count),
      labels: Array(repeating: "A", count: test.count))
    let layout = grid.layout(font: font)
    let labelLine = font.measure("Ag", size: 14).height

    #expect(layout.columns == test.columns)
    #expect(layout.rows == test.rows)
    #expect(layout.tileSide == 84)
    #expect(layout.cellWidth == 84)
    #expect(layout.cellHeight == 84 + 4 + labelLine)
    #expect(layout.width == 12 + test.columns * (84 + 12))
    #expect(layout.height == 12 + test.rows * (84 + 4 + labelLine + 12))
    let canvas = grid.render(font: font)
    #expect(canvas.width == layout.width && canvas.height == layout.height)
  }

  @Test func captionsAndTitleAddHeightAndWideCaptionsWidenCells() throws {
    let font = try standardFont()
    let plain = ImageGrid(images: [Self.glyph()], labels: ["A"]).layout(font: font)
    let captioned = ImageGrid(
      images: [Self.glyph()], labels: ["A"], captions: ["a very long caption here"], title: "T"
    ).layout(font: font)

    #expect(captioned.cellHeight == plain.cellHeight + font.measure("Ag", size: 12).height)
    #expect(captioned.titleHeight == font.measure("Ag", size: 16).height + 8)
    #expect(captioned.cellWidth == font.measure("a very long caption here", size: 12).width + 4)
  }

  @Test func imagesAreDrawnScaledWithTheirLabelsBelow() throws {
    let font = try standardFont()
    let grid = ImageGrid(images: [Self.glyph(), Self.glyph(128)], labels: ["A", "B"])
    let layout = grid.layout(font: font)
    let canvas = grid.render(font: font)

    let first = layout.tile(at: 0)
    #expect(canvas[first.x, first.y] == .white)
    #expect(canvas[first.x + 41, first.y + 41] == .white)
    #expect(canvas[first.x + 42, first.y + 41] == .black)
    #expect(canvas[first.maxX - 1, first.maxY - 1] == .black)
    let second = layout.tile(at: 1)
    #expect(canvas[second.x + 5, second.y + 5] == RGBColor(red: 128, green: 128, blue: 128))
    #expect(second.x == first.x + layout.cellWidth + 12)

    let label = PixelRect(x: first.x, y: first.maxY + 2, width: first.width, height: 20)
    #expect(canvas.count(in: label) { $0 != .white } > 10)
    #expect(canvas[0, 0] == .white)
  }

  @Test func mistakesGalleryKeepsOnlyErrorsMostConfidentFirst() {
    let images = (0..<5).map { Self.glyph(UInt8(50 * $0)) }
    let grid = ImageGrid.mostConfidentMistakes(
      images: images, trueLabels: [2, 0, 1, 3, 4], predictedLabels: [6, 0, 7, 9, 5],
      probabilities: [0.97, 0.99, 0.51, 0.8, 0.8], limit: 3)

    #expect(grid.labels == ["C→G", "D→J", "E→F"])
    #expect(grid.captions == ["p 0.97", "p 0.80", "p 0.80"])
    #expect(grid.images == [images[0], images[3], images[4]])
    #expect(grid.title != nil)
  }

  @Test func mistakesGalleryIsEmptyWhenEverythingIsRight() {
    let grid = ImageGrid.mostConfidentMistakes(
      images: [Self.glyph()], trueLabels: [4], predictedLabels: [4], probabilities: [0.4])
    #expect(grid.images.isEmpty)
  }
}

extension ImageGridTests {
  /// `n` images whose every byte is the image's index, labelled `index % 10`.
  static func dataset(_ n: Int) -> (pixels: [UInt8], labels: [Int]) {
    ((0..<n).flatMap { [UInt8](repeating: UInt8($0), count: 784) }, (0..<n).map { $0 % 10 })
  }

  @Test func randomSampleIsDistinctLabelledAndRepeatsWithTheSeed() {
    let (pixels, labels) = Self.dataset(50)
    var first = SeededGenerator(seed: 7)
    var second = SeededGenerator(seed: 7)
    let grid = ImageGrid.randomSample(pixels: pixels, labels: labels, count: 20, using: &first)
    let again = ImageGrid.randomSample(pixels: pixels, labels: labels, count: 20, using: &second)

    let indices = grid.images.map { Int($0[0]) }
    #expect(grid.images.count == 20)
    #expect(Set(indices).count == 20)
    #expect(grid.images.allSatisfy { Set($0).count == 1 })
    #expect(grid.labels == indices.map { Heatmap.letters[$0 % 10] })
    #expect(again == grid)
    #expect(indices != Array(0..<20))
  }

  @Test func randomSampleOfMoreThanTheDataSetShowsEveryImageOnce() {
    let (pixels, labels) = Self.dataset(4)
    var generator = SeededGenerator(seed: 1)
    let grid = ImageGrid.randomSample(pixels: pixels, labels: labels, count: 9, using: &generator)

    #expect(grid.images.map { Int($0[0]) }.sorted() == [0, 1, 2, 3])
  }
}
