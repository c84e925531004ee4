import Testing

@testable import Pictures

@Suite struct CanvasTests {
  static let red = RGBColor(hex: 0xFF0000)
  static let blue = RGBColor(hex: 0x0000FF)

  @Test func newCanvasIsFilledWithTheBackground() {
    let canvas = Canvas(width: 3, height: 2, background: RGBColor(hex: 0x102030))
    #expect(canvas.pixels.count == 18)
    #expect(canvas.pixels[0..<3] == [0x10, 0x20, 0x30])
    #expect(canvas[2, 1] == RGBColor(hex: 0x102030))
  }

  @Test func fillPaintsExactlyTheClippedRectangle() {
    var canvas = Canvas(width: 10, height: 8)
    canvas.fill(PixelRect(x: 7, y: 5, width: 10, height: 10), with: Self.red)

    #expect(canvas[7, 5] == Self.red)
    #expect(canvas[9, 7] == Self.red)
    #expect(canvas[6, 5] == .white)
    #expect(canvas[7, 4] == .white)
    #expect(canvas.count(of: Self.red) == 3 * 3)
  }

  @Test func strokeDrawsOnlyTheBorder() {
    var canvas = Canvas(width: 10, height: 10)
    canvas.stroke(PixelRect(x: 2, y: 2, width: 5, height: 4), with: Self.blue)

    #expect(canvas[2, 2] == Self.blue)
    #expect(canvas[6, 5] == Self.blue)
    #expect(canvas[4, 3] == .white)
    #expect(canvas.count(of: Self.blue) == 2 * 5 + 2 * 2)
  }

  @Test func blendMixesTowardTheColourByCoverage() {
    var canvas = Canvas(width: 2, height: 1)
    canvas.blend(x: 0, y: 0, color: .black, alpha: 0.5)
    canvas.blend(x: 5, y: 0, color: .black, alpha: 1)

    #expect(canvas[0, 0] == RGBColor(red: 128, green: 128, blue: 128))
    #expect(canvas[1, 0] == .white)
  }

  @Test func horizontalLineCoversItsRowAndFadesAtTheEdge() {
    var canvas = Canvas(width: 20, height: 9)
    canvas.drawLine(
      from: Point(x: 2, y: 4.5), to: Point(x: 18, y: 4.5), color: .black, lineWidth: 1)

    #expect(canvas[10, 4] == .black)
    // Pixel centres one row away are 1 px from the line: coverage 0.5 + 0.5 - 1 = 0.
    #expect(canvas[10, 3] == .white)
    #expect(canvas[10, 5] == .white)
    // The round cap: pixel 1 (centre 1.5) is 0.5 px past the end, so half covered.
    #expect(canvas[1, 4] == RGBColor(red: 128, green: 128, blue: 128))
    #expect(canvas[0, 4] == .white)
  }

  @Test func diagonalLineIsAntiAliased() {
    var canvas = Canvas(width: 20, height: 20)
    canvas.drawLine(from: Point(x: 2, y: 2), to: Point(x: 18, y: 14), color: .black)

    let partial = canvas.count(in: canvas.bounds) { $0 != .white && $0 != .black }
    #expect(partial > 10)
    #expect(canvas[10, 8] != .white)
    #expect(canvas[2, 17] == .white)
  }

  @Test func polylineJointIsNotPaintedTwice() {
    var joined = Canvas(width: 30, height: 30)
    joined.drawPolyline(
      [Point(x: 5, y: 5), Point(x: 15, y: 15), Point(x: 25, y: 5)], color: .black, lineWidth: 1)
    var single = Canvas(width: 30, height: 30)
    single.drawLine(from: Point(x: 5, y: 5), to: Point(x: 15, y: 15), color: .black, lineWidth: 1)

    // Left of the joint the two drawings agree pixel for pixel.
    #expect(joined[10, 10] == .black)
    for y in 0..<30 {
      for x in 0..<14 { #expect(joined[x, y] == single[x, y]) }
    }
  }

  @Test func singlePointPolylineDrawsADot() {
    var canvas = Canvas(width: 11, height: 11)
    canvas.fillCircle(center: Point(x: 5.5, y: 5.5), radius: 3, color: Self.red)

    #expect(canvas[5, 5] == Self.red)
    #expect(canvas[7, 5] == Self.red)
    #expect(canvas[9, 5] == .white)
    #expect(canvas[0, 0] == .white)
  }

  @Test func imageIsScaledByNearestNeighbourThroughTheColourMap() {
    var canvas = Canvas(width: 8, height: 8, background: Self.red)
    canvas.drawImage(gray: [0, 255, 255, 0], imageWidth: 2, imageHeight: 2, x: 1, y: 2, scale: 3)

    #expect(canvas[1, 2] == .black)
    #expect(canvas[3, 4] == .black)
    #expect(canvas[4, 2] == .white)
    #expect(canvas[6, 4] == .white)
    #expect(canvas[1, 5] == .white)
    #expect(canvas[6, 7] == .black)
    #expect(canvas[0, 2] == Self.red)
    #expect(canvas[7, 7] == Self.red)
  }

  @Test func imageColourMapIsApplied() {
    var canvas = Canvas(width: 2, height: 1)
    canvas.drawImage(
      gray: [0, 255], imageWidth: 2, imageHeight: 1, x: 0, y: 0, scale: 1,
      colorMap: .inverseGrays)

    #expect(canvas[0, 0] == .white)
    #expect(canvas[1, 0] == .black)
  }

  @Test func drawingAnotherCanvasCopiesAndClips() {
    var target = Canvas(width: 5, height: 5)
    let source = Canvas(width: 3, height: 3, background: Self.blue)
    target.draw(source, x: 3, y: -1)

    #expect(target[3, 0] == Self.blue)
    #expect(target[4, 1] == Self.blue)
    #expect(target[4, 2] == .white)
    #expect(target[2, 0] == .white)
    #expect(target.count(of: Self.blue) == 4)
  }

  @Test func rectangleIntersectionIsEmptyWhenDisjoint() {
    let a = PixelRect(x: 0, y: 0, width: 4, height: 4)
    #expect(
      a.intersection(PixelRect(x: 2, y: 3, width: 5, height: 5))
        == PixelRect(x: 2, y: 3, width: 2, height: 1))
    #expect(a.intersection(PixelRect(x: 9, y: 9, width: 1, height: 1)).width == 0)
  }
}
