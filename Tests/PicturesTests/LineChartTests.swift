import Testing

@testable import Pictures

@Suite struct LineChartTests {
  static let red = RGBColor(hex: 0xE00000)

  static func chart(_ values: [Double], yRange: ClosedRange<Double>? = nil) -> LineChart {
    LineChart(
      title: "Loss", yTitle: "loss",
      series: [ChartSeries(name: "train", values: values, color: red)],
      yRange: yRange, width: 320, height: 240)
  }

  /// The canvas pixel of data point (`x`, `y`) in `chart` rendered with `font`.
  static func pixel(of x: Double, _ y: Double, in chart: LineChart, font: Font) -> (Int, Int) {
    let ticks = chart.ticks()
    let frame = PixelRect(x: 0, y: 0, width: chart.width, height: chart.height)
    let plot = chart.plotArea(in: frame, yTicks: ticks.y, font: font)
    let px = chart.position(x, in: ticks.x, length: plot.width, flipped: false)
    let py = chart.position(y, in: ticks.y, length: plot.height, flipped: true)
    return (plot.x + Int(px), plot.y + Int(py))
  }

  @Test func renderHasTheChartSizeAndAWhiteBackground() throws {
    let canvas = Self.chart([3, 2, 1]).render(font: try standardFont())

    #expect(canvas.width == 320)
    #expect(canvas.height == 240)
    #expect(canvas[0, 0] == .white)
    #expect(canvas[319, 239] == .white)
  }

  @Test func seriesIsDrawnThroughItsDataPoints() throws {
    let font = try standardFont()
    let chart = Self.chart([3, 2, 1, 0.5])
    let canvas = chart.render(font: font)

    for (index, value) in [3.0, 2, 1, 0.5].enumerated() {
      let (x, y) = Self.pixel(of: Double(index + 1), value, in: chart, font: font)
      #expect(canvas[x, y] == Self.red, "point \(index) at (\(x), \(y))")
    }
    // The legend swatch and the series share the colour; the title area has ink.
    #expect(canvas.count(of: Self.red) > 100)
    #expect(canvas.count(in: PixelRect(x: 120, y: 4, width: 80, height: 24)) { $0 != .white } > 20)
  }

  @Test func missingValueBreaksTheLine() throws {
    let font = try standardFont()
    let chart = Self.chart([1, 1, .nan, 1, 1])
    let canvas = chart.render(font: font)

    let (x2, y) = Self.pixel(of: 2, 1, in: chart, font: font)
    let (x3, _) = Self.pixel(of: 3, 1, in: chart, font: font)
    let (x4, _) = Self.pixel(of: 4, 1, in: chart, font: font)
    #expect(canvas[x2, y] == Self.red)
    #expect(canvas[x4, y] == Self.red)
    #expect(canvas[x3, y] != Self.red)
    #expect(canvas[(x2 + x3) / 2, y] != Self.red)
  }

  @Test func singlePointIsADotInTheMiddle() throws {
    let font = try standardFont()
    let chart = Self.chart([0.7])
    let canvas = chart.render(font: font)
    let ticks = chart.ticks()

    #expect(ticks.x.lower == 0 && ticks.x.upper == 2)
    let (x, y) = Self.pixel(of: 1, 0.7, in: chart, font: font)
    #expect(canvas[x, y] == Self.red)
    #expect(canvas[x + 2, y] == Self.red)
    #expect(canvas[x + 6, y] != Self.red)
  }

  @Test func yAxisWidensToNiceTicksAndXAxisIsTight() {
    let chart = LineChart(
      title: "t", yTitle: "y",
      series: [
        ChartSeries(name: "a", values: [2.31, 1.2, 0.8]),
        ChartSeries(name: "b", values: [.nan, 1.9, 0.35]),
      ])
    let ticks = chart.ticks()

    #expect(ticks.y.labels == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
    #expect(ticks.x.labels == ["1", "2", "3"])
    #expect(ticks.x.lower == 1 && ticks.x.upper == 3)
  }

  @Test func fixedYRangeIsKept() {
    let ticks = Self.chart([0.5, 0.9], yRange: 0...1).ticks()
    #expect(ticks.y.lower == 0 && ticks.y.upper == 1)
  }

  @Test func valuesFarOutsideAFixedRangeAreClippedToThePlot() throws {
    let font = try standardFont()
    let chart = Self.chart([0.5, 1e300, -1e300, 0.5], yRange: 0...1)
    let canvas = chart.render(font: font)

    let (x1, y) = Self.pixel(of: 1, 0.5, in: chart, font: font)
    #expect(canvas[x1, y] == Self.red)
    #expect(canvas[2, 2] == .white)
  }

  @Test func longLegendWrapsOntoMoreRowsAndLowersThePlot() throws {
    let font = try standardFont()
    let names = ["training loss", "validation loss", "test loss", "smoothed training loss"]
    let wide = LineChart(
      title: "t", yTitle: "y", series: names.map { ChartSeries(name: $0, values: [1, 2]) })
    var narrow = wide
    narrow.width = 300
    let yTicks = wide.ticks().y

    #expect(wide.legendRows(width: wide.width, font: font) == [[0, 1, 2, 3]])
    let rows = narrow.legendRows(width: narrow.width, font: font)
    #expect(rows.count >= 2)
    #expect(rows.flatMap { $0 } == [0, 1, 2, 3])
    let wideTop = wide.plotArea(in: wide.render(font: font).bounds, yTicks: yTicks, font: font).y
    let narrowTop = narrow.plotArea(
      in: PixelRect(x: 0, y: 0, width: 300, height: 420), yTicks: yTicks, font: font
    ).y
    #expect(narrowTop == wideTop + 20 * (rows.count - 1))
  }

  @Test func seriesWithoutColourTakeThePaletteInOrder() {
    let chart = LineChart(
      title: "t", yTitle: "y",
      series: [
        ChartSeries(name: "a", values: [1]), ChartSeries(name: "b", values: [1], color: .black),
        ChartSeries(name: "c", values: [1]),
      ])
    #expect(chart.seriesColors() == [RGBColor.seriesPalette[0], .black, RGBColor.seriesPalette[1]])
  }

  @Test func chartWithoutDataSaysSo() throws {
    let font = try standardFont()
    let chart = Self.chart([.nan, .nan])
    let canvas = chart.render(font: font)
    let plot = chart.plotArea(in: canvas.bounds, yTicks: chart.ticks().y, font: font)

    let middle = PixelRect(
      x: plot.center.x.int - 40, y: plot.center.y.int - 10, width: 80, height: 20)
    #expect(canvas.count(in: middle) { $0 != .white && $0 != .gridGray } > 20)
  }

  @Test func trainingCurvesPutLossAndAccuracySideBySide() throws {
    let font = try standardFont()
    let canvas = LineChart.trainingCurves(
      trainLoss: [2.0, 1.0, 0.5], validationLoss: [2.2, 1.3, .nan], trainAccuracy: [0.5, 0.8, 0.9],
      validationAccuracy: [0.45, 0.7, 0.85], font: font)

    #expect(canvas.width == 1280)
    #expect(canvas.height == 420)
    let left = canvas.count(in: PixelRect(x: 0, y: 0, width: 640, height: 420)) {
      $0 == RGBColor.seriesPalette[0]
    }
    let right = canvas.count(in: PixelRect(x: 640, y: 0, width: 640, height: 420)) {
      $0 == RGBColor.seriesPalette[1]
    }
    #expect(left > 100)
    #expect(right > 100)
  }
}

extension Double {
  fileprivate var int: Int { Int(self) }
}
