import Testing

@testable import Pictures

@Suite struct HeatmapTests {
  static func matrix() -> [[Int]] {
    (0..<10).map { row in (0..<10).map { column in row == column ? 90 : row == 0 ? 0 : 1 } }
  }

  @Test func sharesAreNormalizedPerRow() {
    var counts = Self.matrix()
    counts[0] = [Int](repeating: 0, count: 10)
    counts[1] = [30, 10, 0, 0, 0, 0, 0, 0, 0, 0]
    let shares = Heatmap(counts: counts).rowShares

    #expect(shares[0] == [Double](repeating: 0, count: 10))
    #expect(shares[1][0] == 0.75)
    #expect(shares[1][1] == 0.25)
    #expect(abs(shares[5].reduce(0, +) - 1) < 1e-12)
  }

  @Test func cellsAreAtLeastFortyPixelsAndFitTheWidestCount() throws {
    let font = try standardFont()
    let small = Heatmap(counts: Self.matrix()).layout(font: font)
    var wide = Self.matrix()
    wide[2][2] = 123_456_789
    let large = Heatmap(counts: wide).layout(font: font)

    #expect(small.cellSize == 40)
    #expect(small.grid.width == 400 && small.grid.height == 400)
    #expect(large.cellSize >= font.measure("123456789", size: 13).width + 12)
    #expect(large.width > small.width)
    #expect(small.legendBar.x > small.grid.maxX)
    #expect(small.legendBar.height == small.grid.height)
  }

  @Test func cellColourFollowsTheRowShareAndCountTextContrasts() throws {
    let font = try standardFont()
    let heatmap = Heatmap(counts: Self.matrix())
    let layout = heatmap.layout(font: font)
    let canvas = heatmap.render(font: font)

    // Row 3 holds 90 correct and 9 wrong samples: shares 90/99 and 1/99.
    let diagonal = layout.cell(row: 3, column: 3)
    let dark = ColorMap.blues.color(at: 90.0 / 99)
    #expect(canvas[diagonal.x + 2, diagonal.y + 2] == dark)
    #expect(canvas.count(in: diagonal) { $0.luminance > 0.8 } > 10)
    #expect(canvas.count(in: diagonal) { $0.luminance < 0.01 } == 0)

    let light = layout.cell(row: 3, column: 4)
    let pale = ColorMap.blues.color(at: 1.0 / 99)
    #expect(canvas[light.x + 2, light.y + 2] == pale)
    #expect(canvas.count(in: light) { $0.luminance < 0.05 } > 3)
    #expect(canvas.count(in: light) { $0 == .white } == 0)
  }

  @Test func legendBarRunsFromFullAtTheTopToEmptyAtTheBottom() throws {
    let font = try standardFont()
    let heatmap = Heatmap(counts: Self.matrix())
    let bar = heatmap.layout(font: font).legendBar
    let canvas = heatmap.render(font: font)

    #expect(canvas[bar.x + 5, bar.y] == ColorMap.blues.color(at: 1))
    #expect(canvas[bar.x + 5, bar.maxY - 1] == ColorMap.blues.color(at: 0))
    // The scale labels (0% ... 100%) ink the area right of the bar.
    let scale = PixelRect(x: bar.maxX + 6, y: bar.y - 8, width: 40, height: bar.height + 16)
    #expect(canvas.count(in: scale) { $0 != .white } > 100)
  }

  @Test func longTitleWidensThePictureInsteadOfBeingCut() throws {
    let font = try standardFont()
    let title = "Confusion matrix of a two-class problem with a long title"
    let heatmap = Heatmap(counts: [[3, 1], [0, 4]], labels: ["x", "y"], title: title)
    let layout = heatmap.layout(font: font)
    let titleWidth = font.measure(title, size: 17).width

    #expect(layout.titleCenter - titleWidth / 2 >= 12)
    #expect(layout.titleCenter + titleWidth / 2 <= layout.width - 12)
    let canvas = heatmap.render(font: font)
    #expect(canvas.count(in: PixelRect(x: 0, y: 0, width: 12, height: 40)) { $0 != .white } == 0)
  }

  @Test func rowAndColumnLabelsAreDrawn() throws {
    let font = try standardFont()
    let heatmap = Heatmap(counts: Self.matrix())
    let layout = heatmap.layout(font: font)
    let canvas = heatmap.render(font: font)
    let grid = layout.grid

    let rowLabel = PixelRect(x: grid.x - 24, y: grid.y, width: 20, height: layout.cellSize)
    let columnLabel = PixelRect(x: grid.x, y: grid.maxY + 4, width: layout.cellSize, height: 20)
    #expect(canvas.count(in: rowLabel) { $0 != .white } > 10)
    #expect(canvas.count(in: columnLabel) { $0 != .white } > 10)
  }
}
