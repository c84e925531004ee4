/// A grid of small grayscale images (notMNIST glyphs), each scaled up by an integer factor with
/// its label, and optionally a caption, underneath.
///
/// Images are laid out left to right, top to bottom, `columns` per row. Each cell is as wide as
/// the scaled image or its widest text, whichever is wider; the image is centred in it with a
/// light frame, the label (14 px) below it, the caption (12 px, gray) below the label.
public struct ImageGrid: Hashable, Sendable {
  /// The images, each `[imageSide, imageSide]` bytes, row-major.
  public var images: [[UInt8]]
  /// One label per image: its letter, or "C→G" for a mistake.
  public var labels: [String]
  /// One caption per image, such as "p 0.97", or `nil` for none.
  public var captions: [String]?
  /// An optional title above the grid.
  public var title: String?
  /// The images' side length in pixels; 28 for notMNIST.
  public var imageSide: Int
  /// The integer magnification of each image.
  public var scale: Int
  /// The most images per row.
  public var columns: Int
  /// How bytes map to colours; ``ColorMap/grays`` shows the glyphs as stored (bright on dark).
  public var colorMap: ColorMap

  /// Creates a grid.
  /// - Parameters:
  ///   - images: `imageSide * imageSide` bytes per image.
  ///   - labels: one label per image.
  ///   - captions: one caption per image, or `nil`.
  ///   - title: a title above the grid, or `nil`.
  ///   - imageSide: the side of each image in pixels; 28 by default.
  ///   - scale: the magnification, >= 1; 3 by default (84 px tiles).
  ///   - columns: images per row, >= 1; 10 by default.
  ///   - colorMap: the byte-to-colour map; ``ColorMap/grays`` by default.
  /// - Precondition: the counts of images, labels and captions agree, and every image has
  ///   `imageSide * imageSide` bytes.
  public init(
    images: [[UInt8]], labels: [String], captions: [String]? = nil, title: String? = nil,
    imageSide: Int = 28, scale: Int = 3, columns: Int = 10, colorMap: ColorMap = .grays
  ) {
    precondition(
      labels.count == images.count,
      "ImageGrid has \(images.count) images but \(labels.count) labels")
    if let captions {
      precondition(
        captions.count == images.count,
        "ImageGrid has \(images.count) images but \(captions.count) captions")
    }
    precondition(imageSide >= 1 && scale >= 1 && columns >= 1, "ImageGrid sizes must be >= 1")
    for (index, image) in images.enumerated() {
      precondition(
        image.count == imageSide * imageSide,
        "ImageGrid image \(index) has \(image.count) bytes, expected \(imageSide)x\(imageSide)")
    }
    self.images = images
    self.labels = labels
    self.captions = captions
    self.title = title
    self.imageSide = imageSide
    self.scale = scale
    self.columns = columns
    self.colorMap = colorMap
  }

  /// Text sizes in pixels: title, labels, captions.
  static let titleSize = 16
  static let labelSize = 14
  static let captionSize = 12
  /// Pixels between cells and around the grid.
  static let padding = 12

  /// Where each part of the grid goes, in pixels.
  public struct Layout: Hashable, Sendable {
    /// Images per row (at most the image count, at least 1).
    public var columns: Int
    /// Rows of images.
    public var rows: Int
    /// The side of a scaled image: `imageSide * scale`.
    public var tileSide: Int
    /// A cell's width: the tile or its widest text, whichever is wider.
    public var cellWidth: Int
    /// A cell's height: tile, gap, label line and caption line (if any).
    public var cellHeight: Int
    /// The height of the title band (0 without a title).
    public var titleHeight: Int
    /// The picture's width: `padding + columns * (cellWidth + padding)`, or the title's width
    /// plus padding when that is wider.
    public var width: Int
    /// The picture's height: `titleHeight + padding + rows * (cellHeight + padding)`.
    public var height: Int

    /// The rectangle of the scaled image number `index`.
    /// - Parameter index: 0-based, in reading order.
    /// - Returns: the pixels the scaled image covers.
    public func tile(at index: Int) -> PixelRect {
      let cellX = ImageGrid.padding + (index % columns) * (cellWidth + ImageGrid.padding)
      let cellY =
        titleHeight + ImageGrid.padding + (index / columns) * (cellHeight + ImageGrid.padding)
      return PixelRect(
        x: cellX + (cellWidth - tileSide) / 2, y: cellY, width: tileSide, height: tileSide)
    }
  }

  /// Computes the layout for the images and texts.
  /// - Parameter font: the font the text will be drawn with.
  /// - Returns: the sizes and positions of the parts.
  public func layout(font: Font) -> Layout {
    let tileSide = imageSide * scale
    let widestText =
      (labels.map { font.measure($0, size: ImageGrid.labelSize).width }
      + (captions ?? []).map { font.measure($0, size: ImageGrid.captionSize).width }).max() ?? 0
    let cellWidth = max(tileSide, widestText + 4)
    let labelLine = font.measure("Ag", size: ImageGrid.labelSize).height
    let captionLine = captions == nil ? 0 : font.measure("Ag", size: ImageGrid.captionSize).height
    let cellHeight = tileSide + 4 + labelLine + captionLine
    let titleHeight = title == nil ? 0 : font.measure("Ag", size: ImageGrid.titleSize).height + 8
    let titleWidth = title.map { font.measure($0, size: ImageGrid.titleSize).width } ?? 0
    let columnCount = max(1, min(columns, images.count))
    let rows = (images.count + columnCount - 1) / columnCount
    return Layout(
      columns: columnCount, rows: rows, tileSide: tileSide, cellWidth: cellWidth,
      cellHeight: cellHeight, titleHeight: titleHeight,
      width: max(
        ImageGrid.padding + columnCount * (cellWidth + ImageGrid.padding),
        titleWidth + 2 * ImageGrid.padding),
      height: titleHeight + ImageGrid.padding + rows * (cellHeight + ImageGrid.padding))
  }

  /// Renders the grid on a white canvas sized by ``layout(font:)``.
  /// - Parameter font: the font for all text.
  /// - Returns: the finished picture.
  public func render(font: Font) -> Canvas {
    let layout = self.layout(font: font)
    var canvas = Canvas(width: layout.width, height: layout.height)
    if let title {
      canvas.drawText(
        title, at: Point(x: Double(ImageGrid.padding), y: Double(ImageGrid.padding)), font: font,
        size: ImageGrid.titleSize, color: .ink, vertical: .top)
    }
    let labelLine = font.measure("Ag", size: ImageGrid.labelSize).height
    for (index, image) in images.enumerated() {
      let tile = layout.tile(at: index)
      canvas.stroke(
        PixelRect(x: tile.x - 1, y: tile.y - 1, width: tile.width + 2, height: tile.height + 2),
        with: .gridGray)
      canvas.drawImage(
        gray: image, imageWidth: imageSide, imageHeight: imageSide, x: tile.x, y: tile.y,
        scale: scale, colorMap: colorMap)
      let textTop = Double(tile.maxY + 4)
      canvas.drawText(
        labels[index], at: Point(x: tile.center.x, y: textTop), font: font,
        size: ImageGrid.labelSize, color: .ink, horizontal: .center, vertical: .top)
      if let caption = captions?[index] {
        canvas.drawText(
          caption, at: Point(x: tile.center.x, y: textTop + Double(labelLine)), font: font,
          size: ImageGrid.captionSize, color: .mutedGray, horizontal: .center, vertical: .top)
      }
    }
    return canvas
  }
}
