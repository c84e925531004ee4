import Foundation

/// A confusion-matrix heatmap: one cell per (true, predicted) pair, coloured by the count's share
/// of its row, with the count printed in the cell.
///
/// Colour scale: row-normalized. Cell `(i, j)` is coloured by `counts[i][j] / sum_j counts[i][j]`
/// (the fraction of true-letter `i` samples predicted as `j`, 0 for an empty row) through
/// ``colorMap``, so every class's errors are visible however many samples it has. The legend bar
/// shows the scale from 0% to 100%. Counts are printed in black or white, whichever contrasts
/// more with the cell. Rows are true labels (top to bottom), columns predicted labels.
public struct Heatmap: Hashable, Sendable {
  /// `counts[i][j]`: samples of true class `i` predicted as class `j`; square, non-negative.
  public var counts: [[Int]]
  /// One label per class, such as the letters A to J.
  public var labels: [String]
  /// The title above the matrix.
  public var title: String
  /// The title of the rows (left).
  public var rowTitle: String
  /// The title of the columns (below).
  public var columnTitle: String
  /// The colour scale for row shares; ColorBrewer "Blues" by default.
  public var colorMap: ColorMap
  /// The title of the colour legend bar, drawn bottom to top at the right.
  public var scaleTitle: String

  /// Creates a heatmap of a confusion matrix.
  /// - Parameters:
  ///   - counts: `[n][n]` non-negative counts, rows = true class, columns = predicted class.
  ///   - labels: `n` class labels; "A" ... "J" by default.
  ///   - title: the title; "Confusion matrix" by default.
  ///   - rowTitle: the row title; "true letter" by default.
  ///   - columnTitle: the column title; "predicted letter" by default.
  ///   - colorMap: the colour scale; ``ColorMap/blues`` by default.
  ///   - scaleTitle: the legend bar's title; "share of true-letter row" by default.
  /// - Precondition: `counts` is `n` x `n` with `n == labels.count >= 1`, all counts >= 0.
  public init(
    counts: [[Int]], labels: [String] = Heatmap.letters, title: String = "Confusion matrix",
    rowTitle: String = "true letter", columnTitle: String = "predicted letter",
    colorMap: ColorMap = .blues, scaleTitle: String = "share of true-letter row"
  ) {
    precondition(
      !labels.isEmpty && counts.count == labels.count
        && counts.allSatisfy { $0.count == labels.count },
      "Heatmap needs a \(labels.count)x\(labels.count) matrix for \(labels.count) labels, got "
        + "\(counts.count) rows of sizes \(counts.map(\.count))")
    precondition(
      counts.allSatisfy { $0.allSatisfy { $0 >= 0 } }, "Heatmap counts must be >= 0, got \(counts)")
    self.counts = counts
    self.labels = labels
    self.title = title
    self.rowTitle = rowTitle
    self.columnTitle = columnTitle
    self.colorMap = colorMap
    self.scaleTitle = scaleTitle
  }

  /// The notMNIST class letters: label 0 is "A", label 9 is "J".
  public static let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]

  /// Each cell's share of its row, `counts[i][j] / sum_j counts[i][j]` (0 for an empty row).
  public var rowShares: [[Double]] {
    counts.map { row in
      let total = row.reduce(0, +)
      return row.map { total > 0 ? Double($0) / Double(total) : 0 }
    }
  }

  /// Text sizes in pixels: title, axis titles and class labels, counts and scale labels.
  static let titleSize = 17
  static let labelSize = 14
  static let countSize = 13

  /// Where each part of the picture goes, in pixels.
  public struct Layout: Hashable, Sendable {
    /// The whole picture's size.
    public var width: Int
    /// The whole picture's height.
    public var height: Int
    /// The side of one square cell.
    public var cellSize: Int
    /// The matrix of cells.
    public var grid: PixelRect
    /// The colour legend bar (0% at the bottom, 100% at the top).
    public var legendBar: PixelRect
    /// The column the title is centred on: the grid's centre, or further right for a title
    /// wider than the space left of it.
    public var titleCenter: Int

    /// The rectangle of cell (`row`, `column`).
    /// - Parameters:
    ///   - row: the true class index.
    ///   - column: the predicted class index.
    /// - Returns: the cell's pixels.
    public func cell(row: Int, column: Int) -> PixelRect {
      PixelRect(
        x: grid.x + column * cellSize, y: grid.y + row * cellSize, width: cellSize,
        height: cellSize)
    }
  }

  /// Computes the layout: cells wide enough for the widest count (at least 40 px), class labels
  /// at the left and below, the colour bar and its scale at the right.
  /// - Parameter font: the font the text will be drawn with.
  /// - Returns: the sizes and positions of the parts.
  public func layout(font: Font) -> Layout {
    let widestCount =
      counts.joined().map { font.measure(String($0), size: Heatmap.countSize).width }
      .max() ?? 0
    let widestLabel = labels.map { font.measure($0, size: Heatmap.labelSize).width }.max() ?? 0
    let line = font.measure("Ag", size: Heatmap.labelSize).height
    let scaleWidth = font.measure("100%", size: Heatmap.countSize).width
    let cellSize = max(40, widestCount + 12, widestLabel + 8)
    let n = labels.count

    let left = 12 + line + 10 + widestLabel + 10
    let top = 48
    let grid = PixelRect(x: left, y: top, width: n * cellSize, height: n * cellSize)
    let legendBar = PixelRect(x: grid.maxX + 28, y: grid.y, width: 18, height: grid.height)
    let titleWidth = font.measure(title, size: Heatmap.titleSize).width
    let titleCenter = max(grid.x + grid.width / 2, titleWidth / 2 + 12)
    let width = max(
      legendBar.maxX + 8 + scaleWidth + 12 + line + 14, titleCenter + titleWidth / 2 + 12)
    let height = grid.maxY + 8 + line + 10 + line + 14
    return Layout(
      width: width, height: height, cellSize: cellSize, grid: grid, legendBar: legendBar,
      titleCenter: titleCenter)
  }

  /// Renders the heatmap on a white canvas sized by ``layout(font:)``.
  /// - Parameter font: the font for all text.
  /// - Returns: the finished picture.
  public func render(font: Font) -> Canvas {
    let layout = self.layout(font: font)
    var canvas = Canvas(width: layout.width, height: layout.height)
    let grid = layout.grid
    let line = font.measure("Ag", size: Heatmap.labelSize).height

    canvas.drawText(
      title, at: Point(x: Double(layout.titleCenter), y: 12), font: font, size: Heatmap.titleSize,
      color: .ink,
      horizontal: .center, vertical: .top)
    drawCells(into: &canvas, layout: layout, font: font)

    for (index, label) in labels.enumerated() {
      let cell = layout.cell(row: index, column: index)
      canvas.drawText(
        label, at: Point(x: Double(grid.x - 10), y: cell.center.y), font: font,
        size: Heatmap.labelSize, color: .ink, horizontal: .right, vertical: .middle)
      canvas.drawText(
        label, at: Point(x: cell.center.x, y: Double(grid.maxY + 8)), font: font,
        size: Heatmap.labelSize, color: .ink, horizontal: .center, vertical: .top)
    }
    canvas.drawText(
      rowTitle, at: Point(x: 12, y: grid.center.y), font: font, size: Heatmap.labelSize,
      color: .ink, horizontal: .center, vertical: .top, rotation: .counterClockwise)
    canvas.drawText(
      columnTitle, at: Point(x: grid.center.x, y: Double(grid.maxY + 8 + line + 10)), font: font,
      size: Heatmap.labelSize, color: .ink, horizontal: .center, vertical: .top)
    drawLegend(into: &canvas, bar: layout.legendBar, width: layout.width, font: font)
    return canvas
  }

  private func drawCells(into canvas: inout Canvas, layout: Layout, font: Font) {
    let shares = rowShares
    for row in counts.indices {
      for column in counts[row].indices {
        let cell = layout.cell(row: row, column: column)
        let color = colorMap.color(at: shares[row][column])
        canvas.fill(cell, with: color)
        canvas.drawText(
          String(counts[row][column]), at: cell.center, font: font, size: Heatmap.countSize,
          color: color.contrastingText, horizontal: .center, vertical: .middle)
      }
    }
    let grid = layout.grid
    canvas.stroke(
      PixelRect(x: grid.x - 1, y: grid.y - 1, width: grid.width + 2, height: grid.height + 2),
      with: .mutedGray)
  }

  /// Draws the colour bar (0% at the bottom), its scale at 0, 25, 50, 75 and 100%, and its title.
  private func drawLegend(into canvas: inout Canvas, bar: PixelRect, width: Int, font: Font) {
    for row in 0..<bar.height {
      let share = 1 - Double(row) / Double(max(bar.height - 1, 1))
      canvas.fill(
        PixelRect(x: bar.x, y: bar.y + row, width: bar.width, height: 1),
        with: colorMap.color(at: share))
    }
    canvas.stroke(
      PixelRect(x: bar.x - 1, y: bar.y - 1, width: bar.width + 2, height: bar.height + 2),
      with: .mutedGray)
    for percent in stride(from: 0, through: 100, by: 25) {
      let y = bar.y + Int((1 - Double(percent) / 100) * Double(bar.height - 1))
      canvas.fill(PixelRect(x: bar.maxX + 1, y: y, width: 4, height: 1), with: .ink)
      canvas.drawText(
        "\(percent)%", at: Point(x: Double(bar.maxX + 8), y: Double(y) + 0.5), font: font,
        size: Heatmap.countSize, color: .ink, vertical: .middle)
    }
    canvas.drawText(
      scaleTitle, at: Point(x: Double(width - 12), y: bar.center.y), font: font,
      size: Heatmap.labelSize, color: .ink, horizontal: .center, vertical: .bottom,
      rotation: .counterClockwise)
  }
}
