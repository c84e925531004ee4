import Datasets
import Foundation
import Pictures

/// `notmnist data grid PATH... [--count N] [--seed S] [--flagged] --out FILE.png`: a PNG of
/// random images of a data set with their letters, or of its flagged images.
enum DataGridCommand: Command {
  static let name = "data grid"
  static let abstract =
    "Draw random images of data sources with their letters (or the flagged ones) as a PNG."
  static let usage = "notmnist data grid PATH... [--count N] [--seed S] [--flagged] --out FILE.png"
  static var options: [OptionSpec] {
    [
      .value("--out", "FILE.png", "the picture to write (required)"),
      .value("--count", "N", "images to draw, 1...1000; default 100"),
      .value("--seed", "S", "picks the images; the same seed picks the same ones; default 0"),
      .flag(
        "--flagged",
        "draw the duplicates with conflicting letters and the blank images instead"),
    ]
  }

  /// The flags after validation.
  struct Plan: Equatable {
    var paths: [String]
    var out: URL
    var count: Int
    var seed: UInt64
    var isFlagged: Bool
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    let plan = try validate(arguments)
    let images = try DataLoading.load(plan.paths, split: "grid", console: console)
    let font: Font
    do {
      font = try Font.standard()
    } catch {
      throw .failure(error.description)
    }

    let names = plan.paths.map { URL(fileURLWithPath: $0).lastPathComponent }
      .joined(separator: ", ")
    let picture: Canvas
    if plan.isFlagged {
      let flagged = FlaggedImages(images)
      picture = ReportPictures.stacked(
        [
          ReportPictures.conflicts(
            images, flagged: flagged, limit: max(1, plan.count / 3), font: font),
          ReportPictures.blanks(images, flagged: flagged, limit: plan.count, font: font),
        ].compactMap { $0 } + (flagged.isEmpty ? [nothingFlagged(names, font: font)] : []))
      console.note(
        "\(ReportPictures.plural(flagged.conflicts.count, "pixel content")) under conflicting"
          + " letters, \(ReportPictures.plural(flagged.blankImages.count, "blank image")) in"
          + " \(images.count)")
    } else {
      let shown = min(plan.count, images.count)
      picture = ReportPictures.sample(
        images, count: shown, seed: plan.seed,
        title: "\(shown) random images of \(names) (seed \(plan.seed))", font: font)
    }
    try write(picture, to: plan.out)
    console.note("picture written to \(plan.out.path) (\(picture.width)x\(picture.height))")
    return 0
  }

  /// Checks the flags before any work.
  /// - Throws: `CommandLineError.usage` without a path or `--out`, for an output name that does
  ///   not end in `.png`, or a count or seed out of range.
  static func validate(_ arguments: ParsedArguments) throws(CommandLineError) -> Plan {
    guard !arguments.positional.isEmpty else { throw .usage("give at least one data PATH") }
    guard let out = arguments.string("--out") else {
      throw .usage("give the picture to write with --out FILE.png")
    }
    guard out.lowercased().hasSuffix(".png") else {
      throw .usage("--out must name a .png file, got '\(out)'")
    }
    if arguments.has("--flagged") && arguments.string("--seed") != nil {
      throw .usage("--seed picks random images; it does not combine with --flagged")
    }
    return Plan(
      paths: arguments.positional, out: URL(fileURLWithPath: out),
      count: try arguments.int("--count", default: 100, in: 1...1000),
      seed: UInt64(try arguments.int("--seed", default: 0, in: 0...Int.max)),
      isFlagged: arguments.has("--flagged"))
  }

  /// A small picture saying that nothing was flagged.
  private static func nothingFlagged(_ names: String, font: Font) -> Canvas {
    let text = "No blank images and no duplicates with conflicting letters in \(names)"
    let size = 14
    let metrics = font.measure(text, size: size)
    var canvas = Canvas(width: metrics.width + 24, height: metrics.height + 24)
    canvas.drawText(
      text, at: Point(x: 12, y: 12), font: font, size: size, color: .ink, vertical: .top)
    return canvas
  }

  /// Writes the picture, creating its folder.
  private static func write(_ picture: Canvas, to url: URL) throws(CommandLineError) {
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw .failure("\(url.deletingLastPathComponent().path): cannot create the folder: \(error)")
    }
    do {
      try picture.writePNG(to: url)
    } catch {
      throw .failure(error.description)
    }
  }
}
