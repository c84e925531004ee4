import Testing

@testable import Pictures

@Suite struct CanvasTextTests {
  @Test func textInksPixelsOnlyInsideItsLineBox() throws {
    let font = try standardFont()
    var canvas = Canvas(width: 120, height: 40)
    let box = canvas.drawText(
      "Loss 0.42", at: Point(x: 10, y: 25), font: font, size: 14, color: .black)

    let metrics = font.measure("Loss 0.42", size: 14)
    #expect(
      box == PixelRect(x: 10, y: 25 - metrics.ascent, width: metrics.width, height: metrics.height))
    #expect(canvas.count(in: box) { $0 != .white } > 40)
    #expect(canvas.count(in: box) { $0 == .black } > 5)
    #expect(canvas.count(of: .white) == 120 * 40 - canvas.count(in: box) { $0 != .white })
  }

  @Test(arguments: [HorizontalAlignment.left, .center, .right])
  func horizontalAlignmentPlacesTheAnchor(alignment: HorizontalAlignment) throws {
    let font = try standardFont()
    let anchorX = 60
    var canvas = Canvas(width: 120, height: 30)
    let box = canvas.drawText(
      "ABC", at: Point(x: Double(anchorX), y: 15), font: font, size: 13, color: .black,
      horizontal: alignment, vertical: .middle)

    switch alignment {
    case .left: #expect(box.x == anchorX)
    case .center: #expect(abs(box.x + box.width / 2 - anchorX) <= 1)
    case .right: #expect(box.maxX == anchorX)
    }
    #expect(abs(box.y + box.height / 2 - 15) <= 1)
  }

  @Test func verticalAlignmentTopAndBottomBoundTheLine() throws {
    let font = try standardFont()
    var canvas = Canvas(width: 60, height: 60)
    let top = canvas.drawText(
      "Ag", at: Point(x: 5, y: 5), font: font, size: 12, color: .black, vertical: .top)
    let bottom = canvas.drawText(
      "Ag", at: Point(x: 30, y: 50), font: font, size: 12, color: .black, vertical: .bottom)

    #expect(top.y == 5)
    #expect(bottom.maxY == 50)
  }

  @Test func rotatedTextRunsBottomToTop() throws {
    let font = try standardFont()
    var canvas = Canvas(width: 40, height: 120)
    let box = canvas.drawText(
      "accuracy", at: Point(x: 5, y: 60), font: font, size: 14, color: .black,
      horizontal: .center, vertical: .top, rotation: .counterClockwise)

    let metrics = font.measure("accuracy", size: 14)
    #expect(box.width == metrics.height)
    #expect(box.height == metrics.width)
    #expect(box.x == 5)
    #expect(abs(box.y + box.height / 2 - 60) <= 1)
    #expect(canvas.count(in: box) { $0 != .white } > 40)
    #expect(canvas.count(in: PixelRect(x: 0, y: 0, width: 40, height: box.y)) { $0 != .white } == 0)
    // The text starts at the bottom: the "a" of "accuracy" inks the lowest quarter.
    let lowQuarter = PixelRect(
      x: box.x, y: box.maxY - box.height / 4, width: box.width, height: box.height / 4)
    #expect(canvas.count(in: lowQuarter) { $0 != .white } > 10)
  }

  @Test func arrowAndLettersAllHaveGlyphs() throws {
    let font = try standardFont()
    // Without the arrow glyph the line would only be as wide as the two letters and a gap.
    #expect(font.measure("C→G", size: 14).width > font.measure("CG", size: 14).width + 8)
  }
}
