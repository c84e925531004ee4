import Foundation

/// One named curve of a ``LineChart``: a value per x position, NaN where it is missing.
public struct ChartSeries: Hashable, Sendable {
  /// The legend text, such as "train loss".
  public var name: String
  /// One value per x position; NaN (or infinity) marks a missing value and breaks the line.
  public var values: [Double]
  /// The line colour; `nil` takes the next colour of ``RGBColor/seriesPalette``.
  public var color: RGBColor?

  /// Creates a series.
  /// - Parameters:
  ///   - name: the legend text.
  ///   - values: one value per x position, NaN where missing.
  ///   - color: the line colour, or `nil` for the palette's next colour.
  public init(name: String, values: [Double], color: RGBColor? = nil) {
    self.name = name
    self.values = values
    self.color = color
  }
}

/// A line chart of training curves: named series over epochs, with "nice" axis ticks, grid
/// lines, tick labels, axis titles, a title and a legend.
///
/// Series values are plotted at `xValues[i]` (1, 2, 3, ... by default). Missing values (NaN or
/// infinite) break a line; a point with no neighbour is drawn as a dot, and every point gets a
/// dot when there are at most 40. The y axis spans the finite values widened to nice ticks (or
/// ``yRange`` when set); the x axis spans the x values exactly, or x ± 1 for a single point.
public struct LineChart: Hashable, Sendable {
  /// The title above the chart.
  public var title: String
  /// The x-axis title; "epoch" by default.
  public var xTitle: String
  /// The y-axis title, drawn bottom to top.
  public var yTitle: String
  /// The curves, drawn in order (later ones on top).
  public var series: [ChartSeries]
  /// The x position of each value; `nil` means 1, 2, 3, ...
  public var xValues: [Double]?
  /// A fixed y domain (values outside are clipped), or `nil` to fit the data.
  public var yRange: ClosedRange<Double>?
  /// The picture width in pixels; 640 by default.
  public var width: Int
  /// The picture height in pixels; 420 by default.
  public var height: Int

  /// Creates a chart.
  /// - Parameters:
  ///   - title: the title above the chart.
  ///   - xTitle: the x-axis title; "epoch" by default.
  ///   - yTitle: the y-axis title.
  ///   - series: the curves.
  ///   - xValues: the x positions, or `nil` for 1, 2, 3, ...
  ///   - yRange: a fixed y domain, or `nil` to fit the data.
  ///   - width: picture width in pixels, >= 200; 640 by default.
  ///   - height: picture height in pixels, >= 160; 420 by default.
  /// - Precondition: `xValues`, when given, is at least as long as every series; the size is at
  ///   least 200x160.
  public init(
    title: String, xTitle: String = "epoch", yTitle: String, series: [ChartSeries],
    xValues: [Double]? = nil, yRange: ClosedRange<Double>? = nil, width: Int = 640,
    height: Int = 420
  ) {
    if let xValues {
      let longest = series.map(\.values.count).max() ?? 0
      precondition(
        xValues.count >= longest,
        "LineChart has \(xValues.count) x values but a series with \(longest) values")
    }
    precondition(
      width >= 200 && height >= 160, "LineChart needs >= 200x160, got \(width)x\(height)")
    self.title = title
    self.xTitle = xTitle
    self.yTitle = yTitle
    self.series = series
    self.xValues = xValues
    self.yRange = yRange
    self.width = width
    self.height = height
  }

  /// Text sizes in pixels: title, axis titles and legend, tick labels.
  static let titleSize = 17
  static let labelSize = 14
  static let tickSize = 13

  /// Renders the chart on a white canvas of ``width`` x ``height``.
  /// - Parameter font: the font for all text.
  /// - Returns: the finished picture.
  public func render(font: Font) -> Canvas {
    var canvas = Canvas(width: width, height: height)
    draw(into: &canvas, frame: canvas.bounds, font: font)
    return canvas
  }

  /// Renders a loss chart and an accuracy chart side by side in one picture, as Keras users see
  /// them in TensorBoard: training and validation curves, one value per epoch.
  ///
  /// The result is 2 x 640 by 420 pixels. Accuracy values are fractions (0...1) and are plotted
  /// as given; missing epochs are NaN.
  /// - Parameters:
  ///   - trainLoss: training loss per epoch.
  ///   - validationLoss: validation loss per epoch (empty if not measured).
  ///   - trainAccuracy: training accuracy per epoch.
  ///   - validationAccuracy: validation accuracy per epoch (empty if not measured).
  ///   - epochs: the epoch numbers, or `nil` for 1, 2, 3, ...
  ///   - font: the font for all text.
  /// - Returns: a 1280 x 420 picture, loss on the left and accuracy on the right.
  public static func trainingCurves(
    trainLoss: [Double], validationLoss: [Double], trainAccuracy: [Double],
    validationAccuracy: [Double], epochs: [Double]? = nil, font: Font
  ) -> Canvas {
    func curves(_ train: [Double], _ validation: [Double], _ what: String) -> [ChartSeries] {
      var result = [ChartSeries(name: "train " + what, values: train)]
      if !validation.isEmpty {
        result.append(ChartSeries(name: "validation " + what, values: validation))
      }
      return result
    }
    let loss = LineChart(
      title: "Loss", yTitle: "loss", series: curves(trainLoss, validationLoss, "loss"),
      xValues: epochs)
    let accuracy = LineChart(
      title: "Accuracy", yTitle: "accuracy",
      series: curves(trainAccuracy, validationAccuracy, "accuracy"), xValues: epochs)
    return sideBySide([loss, accuracy], font: font)
  }

  /// Renders charts next to each other, left to right, in one picture as tall as the tallest.
  /// - Parameters:
  ///   - charts: the charts, each drawn at its own size.
  ///   - font: the font for all text.
  /// - Returns: a picture as wide as the charts together.
  /// - Precondition: `charts` is not empty.
  public static func sideBySide(_ charts: [LineChart], font: Font) -> Canvas {
    precondition(!charts.isEmpty, "sideBySide needs at least one chart")
    var canvas = Canvas(
      width: charts.map(\.width).reduce(0, +), height: charts.map(\.height).max() ?? 1)
    var x = 0
    for chart in charts {
      chart.draw(
        into: &canvas, frame: PixelRect(x: x, y: 0, width: chart.width, height: chart.height),
        font: font)
      x += chart.width
    }
    return canvas
  }

  /// Draws the chart into `frame` of an existing canvas.
  /// - Parameters:
  ///   - canvas: the picture to draw on.
  ///   - frame: the area the chart fills (title, legend, axes and plot).
  ///   - font: the font for all text.
  public func draw(into canvas: inout Canvas, frame: PixelRect, font: Font) {
    let (xTicks, yTicks) = ticks()
    let plot = plotArea(in: frame, yTicks: yTicks, font: font)
    let colors = seriesColors()

    canvas.drawText(
      title, at: Point(x: frame.center.x, y: Double(frame.y + 8)), font: font,
      size: LineChart.titleSize, color: .ink, horizontal: .center, vertical: .top)
    drawLegend(into: &canvas, frame: frame, colors: colors, font: font)
    drawAxes(into: &canvas, frame: frame, plot: plot, xTicks: xTicks, yTicks: yTicks, font: font)

    var inner = Canvas(width: plot.width, height: plot.height)
    drawGrid(into: &inner, xTicks: xTicks, yTicks: yTicks)
    if hasData {
      for (item, color) in zip(series, colors) {
        drawSeries(item, color: color, into: &inner, xTicks: xTicks, yTicks: yTicks)
      }
    } else {
      inner.drawText(
        "no data", at: Point(x: Double(plot.width) / 2, y: Double(plot.height) / 2), font: font,
        size: LineChart.labelSize, color: .mutedGray, horizontal: .center, vertical: .middle)
    }
    canvas.draw(inner, x: plot.x, y: plot.y)
    canvas.stroke(
      PixelRect(x: plot.x - 1, y: plot.y - 1, width: plot.width + 2, height: plot.height + 2),
      with: .ink)
  }

  // MARK: - Layout

  /// The x position of value `i`.
  func x(at index: Int) -> Double { xValues?[index] ?? Double(index + 1) }

  /// Whether any series has a finite value.
  var hasData: Bool { series.contains { $0.values.contains(where: \.isFinite) } }

  /// The x and y ticks for the data (tight x, widened y).
  func ticks() -> (x: AxisTicks, y: AxisTicks) {
    let count = series.map(\.values.count).max() ?? 0
    let xs = (0..<count).map(x(at:)).filter(\.isFinite)
    let integral = xs.allSatisfy { $0 == $0.rounded() }
    let xTicks = AxisTicks(
      lower: xs.min() ?? 1, upper: xs.max() ?? 1, targetCount: 6, integerSteps: integral,
      isTight: xs.count > 1)
    if let yRange {
      return (xTicks, AxisTicks(lower: yRange.lowerBound, upper: yRange.upperBound, isTight: true))
    }
    let ys = series.flatMap(\.values).filter(\.isFinite)
    return (xTicks, AxisTicks(lower: ys.min() ?? 0, upper: ys.max() ?? 1, targetCount: 6))
  }

  /// The plot rectangle inside `frame`, leaving room for the title, legend, tick labels and
  /// axis titles.
  func plotArea(in frame: PixelRect, yTicks: AxisTicks, font: Font) -> PixelRect {
    let tickLabelWidth =
      yTicks.labels.map { font.measure($0, size: LineChart.tickSize).width }
      .max() ?? 0
    let titleLine = font.measure(yTitle, size: LineChart.labelSize).height
    let tickLine = font.measure("0", size: LineChart.tickSize).height
    let left = 10 + titleLine + 10 + tickLabelWidth + 8
    let top = LineChart.legendTop + legendRows(width: frame.width, font: font).count * 20 + 10
    let bottom = 8 + tickLine + 8 + titleLine + 10
    return PixelRect(
      x: frame.x + left, y: frame.y + top, width: max(1, frame.width - left - 24),
      height: max(1, frame.height - top - bottom))
  }

  /// Pixels from the top of the frame to the first legend row.
  static let legendTop = 34

  /// The legend's width for each series: swatch, gap and name.
  private func legendItemWidths(font: Font) -> [Int] {
    series.map { 22 + 6 + font.measure($0.name, size: LineChart.labelSize).width }
  }

  /// The series indices on each legend row, packed greedily into `width` less a margin; a
  /// chart without series has no rows.
  func legendRows(width: Int, font: Font) -> [[Int]] {
    let widths = legendItemWidths(font: font)
    var rows: [[Int]] = []
    var used = 0
    for (index, itemWidth) in widths.enumerated() {
      if rows.isEmpty || used + 20 + itemWidth > width - 20 {
        rows.append([index])
        used = itemWidth
      } else {
        rows[rows.count - 1].append(index)
        used += 20 + itemWidth
      }
    }
    return rows
  }

  /// Each series' colour: its own, or the palette's next unused one.
  func seriesColors() -> [RGBColor] {
    var next = 0
    return series.map { item in
      if let color = item.color { return color }
      defer { next += 1 }
      return RGBColor.seriesPalette[next % RGBColor.seriesPalette.count]
    }
  }

  // MARK: - Drawing

  /// Draws the legend rows, each centred in the frame, 20 px apart.
  private func drawLegend(
    into canvas: inout Canvas, frame: PixelRect, colors: [RGBColor], font: Font
  ) {
    let gap = 20
    let widths = legendItemWidths(font: font)
    for (row, indices) in legendRows(width: frame.width, font: font).enumerated() {
      let rowWidth = indices.map { widths[$0] }.reduce(0, +) + gap * (indices.count - 1)
      var x = Int(frame.center.x) - rowWidth / 2
      let middle = Double(frame.y + LineChart.legendTop + 20 * row) + 9
      for index in indices {
        canvas.drawLine(
          from: Point(x: Double(x), y: middle), to: Point(x: Double(x + 22), y: middle),
          color: colors[index], lineWidth: 2.5)
        canvas.drawText(
          series[index].name, at: Point(x: Double(x + 28), y: middle), font: font,
          size: LineChart.labelSize, color: .ink, vertical: .middle)
        x += widths[index] + gap
      }
    }
  }

  private func drawAxes(
    into canvas: inout Canvas, frame: PixelRect, plot: PixelRect, xTicks: AxisTicks,
    yTicks: AxisTicks, font: Font
  ) {
    for value in yTicks.values {
      let y = Double(plot.y) + position(value, in: yTicks, length: plot.height, flipped: true)
      canvas.fill(PixelRect(x: plot.x - 6, y: Int(y), width: 5, height: 1), with: .ink)
      canvas.drawText(
        yTicks.label(for: value), at: Point(x: Double(plot.x - 9), y: y + 0.5), font: font,
        size: LineChart.tickSize, color: .ink, horizontal: .right, vertical: .middle)
    }
    for value in xTicks.values {
      let x = Double(plot.x) + position(value, in: xTicks, length: plot.width, flipped: false)
      canvas.fill(PixelRect(x: Int(x), y: plot.maxY + 1, width: 1, height: 5), with: .ink)
      canvas.drawText(
        xTicks.label(for: value), at: Point(x: x + 0.5, y: Double(plot.maxY + 8)), font: font,
        size: LineChart.tickSize, color: .ink, horizontal: .center, vertical: .top)
    }

    let tickLine = font.measure("0", size: LineChart.tickSize).height
    canvas.drawText(
      xTitle, at: Point(x: plot.center.x, y: Double(plot.maxY + 8 + tickLine + 8)), font: font,
      size: LineChart.labelSize, color: .ink, horizontal: .center, vertical: .top)
    canvas.drawText(
      yTitle, at: Point(x: Double(frame.x + 10), y: plot.center.y), font: font,
      size: LineChart.labelSize, color: .ink, horizontal: .center, vertical: .top,
      rotation: .counterClockwise)
  }

  private func drawGrid(into canvas: inout Canvas, xTicks: AxisTicks, yTicks: AxisTicks) {
    for value in yTicks.values {
      let y = Int(position(value, in: yTicks, length: canvas.height, flipped: true))
      canvas.fill(PixelRect(x: 0, y: y, width: canvas.width, height: 1), with: .gridGray)
    }
    for value in xTicks.values {
      let x = Int(position(value, in: xTicks, length: canvas.width, flipped: false))
      canvas.fill(PixelRect(x: x, y: 0, width: 1, height: canvas.height), with: .gridGray)
    }
  }

  private func drawSeries(
    _ item: ChartSeries, color: RGBColor, into canvas: inout Canvas, xTicks: AxisTicks,
    yTicks: AxisTicks
  ) {
    var runs: [[Point]] = [[]]
    for (index, value) in item.values.enumerated() {
      let xValue = x(at: index)
      guard value.isFinite, xValue.isFinite else {
        if !runs[runs.count - 1].isEmpty { runs.append([]) }
        continue
      }
      runs[runs.count - 1].append(
        Point(
          x: position(xValue, in: xTicks, length: canvas.width, flipped: false) + 0.5,
          y: position(value, in: yTicks, length: canvas.height, flipped: true) + 0.5))
    }
    let showsEveryPoint = item.values.count <= 40
    for run in runs where !run.isEmpty {
      canvas.drawPolyline(run, color: color, lineWidth: 2)
      if showsEveryPoint || run.count == 1 {
        for point in run { canvas.fillCircle(center: point, radius: 3, color: color) }
      }
    }
  }

  /// The pixel offset of `value` along an axis of `length` pixels (from the bottom when
  /// `flipped`): the domain's ends sit ``dataInset`` pixels inside the plot's edges, so dots on
  /// the extremes are drawn whole.
  func position(_ value: Double, in ticks: AxisTicks, length: Int, flipped: Bool) -> Double {
    let fraction = (value - ticks.lower) / (ticks.upper - ticks.lower)
    let inset = Double(min(LineChart.dataInset, (length - 1) / 4))
    let span = Double(length - 1) - 2 * inset
    return inset + (flipped ? span - fraction * span : fraction * span)
  }

  /// Pixels between the plot's frame and the ends of its axes' domains.
  static let dataInset = 6
}
