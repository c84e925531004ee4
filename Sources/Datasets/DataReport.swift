#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

import TensorCore

/// What `notmnist data inspect` tells about one or more sources: sizes, skipped files,
/// duplicates within each source, overlaps between sources, and label conflicts.
///
/// Duplicates are exact: two images are the same when all 784 pixel bytes are equal.
/// - `duplicatesWithin`: images of a source whose pixels occur more than once in it (every
///   member of a repeated group counts, the first included).
/// - `overlaps`: one entry for each **ordered** pair of different sources `(a, b)`:
///   `sharedImages` counts the images of `a` whose pixels also occur in `b`, so `(a, b)` and
///   `(b, a)` differ when a content repeats on one side.
/// - `labelConflicts` (top level): distinct pixel contents that carry more than one label,
///   counted over all given sources together (within one source as well as between sources);
///   each overlap also counts the conflicts among the contents its two sources share.
public struct DataReport: Sendable, Equatable {
  /// The summary of one source.
  public struct Source: Sendable, Equatable {
    /// The source's path as given.
    public var path: String
    /// Readable images.
    public var images: Int
    /// Images per class, A...J (10 entries).
    public var perClass: [Int]
    /// Distinct pixel contents among the images.
    public var distinctContents: Int
    /// Images whose pixels occur more than once in this source.
    public var duplicatesWithin: Int
    /// Blank images: all 784 pixels equal (such as the solid white "I" some fonts draw).
    public var blankImages: Int
    /// Entries left out, with reasons.
    public var skipped: [SkippedEntry]
    /// Seconds spent reading and decoding the source.
    public var seconds: Double

    /// Creates a source summary.
    /// - Parameters:
    ///   - path: the source path.
    ///   - images: readable images.
    ///   - perClass: 10 counts, A...J.
    ///   - distinctContents: distinct pixel contents.
    ///   - duplicatesWithin: images whose pixels repeat in the source.
    ///   - blankImages: images whose pixels are all equal; default 0.
    ///   - skipped: skipped entries.
    ///   - seconds: time to load.
    public init(
      path: String, images: Int, perClass: [Int], distinctContents: Int, duplicatesWithin: Int,
      blankImages: Int = 0, skipped: [SkippedEntry], seconds: Double
    ) {
      self.path = path
      self.images = images
      self.perClass = perClass
      self.distinctContents = distinctContents
      self.duplicatesWithin = duplicatesWithin
      self.blankImages = blankImages
      self.skipped = skipped
      self.seconds = seconds
    }
  }

  /// Images of source `a` whose exact pixels also occur in source `b`.
  public struct Overlap: Sendable, Equatable {
    /// The path of the source whose images are counted.
    public var a: String
    /// The path of the source they also occur in.
    public var b: String
    /// The number of images of `a` with a copy in `b`.
    public var sharedImages: Int
    /// The number of distinct pixel contents found in both (the same for `(a, b)` and `(b, a)`).
    public var sharedContents: Int
    /// Shared contents that carry more than one label among the images of `a` and `b`
    /// (the same for `(a, b)` and `(b, a)`).
    public var labelConflicts: Int

    /// Creates an overlap record.
    /// - Parameters:
    ///   - a: the counted source.
    ///   - b: the other source.
    ///   - sharedImages: images of `a` found in `b`.
    ///   - sharedContents: distinct contents in both.
    ///   - labelConflicts: shared contents with more than one label.
    public init(
      a: String, b: String, sharedImages: Int, sharedContents: Int, labelConflicts: Int
    ) {
      self.a = a
      self.b = b
      self.sharedImages = sharedImages
      self.sharedContents = sharedContents
      self.labelConflicts = labelConflicts
    }
  }

  /// One summary per source, in the order given.
  public var sources: [Source]
  /// One entry per ordered pair of different sources, `a` in the outer order.
  public var overlaps: [Overlap]
  /// Distinct pixel contents that carry more than one label over all sources.
  public var labelConflicts: Int
  /// Seconds for the whole inspection.
  public var seconds: Double

  /// Creates a report from its parts.
  /// - Parameters:
  ///   - sources: per-source summaries.
  ///   - overlaps: ordered-pair overlaps.
  ///   - labelConflicts: contents with more than one label.
  ///   - seconds: total time.
  public init(sources: [Source], overlaps: [Overlap], labelConflicts: Int, seconds: Double) {
    self.sources = sources
    self.overlaps = overlaps
    self.labelConflicts = labelConflicts
    self.seconds = seconds
  }

  /// Loads every path and reports on the data.
  /// - Parameters:
  ///   - paths: folders, archives or idx images files.
  ///   - labelsPaths: labels files for idx sources, keyed by the images path; an idx source
  ///     without an entry has its labels found beside it. Default: none.
  ///   - workerCount: PNG decoding threads; default 2.
  /// - Returns: the report, with the time each source took to load.
  /// - Throws: the first source's `DatasetError` that cannot be read at all.
  public static func inspect(
    paths: [String], labelsPaths: [String: String] = [:], workerCount: Int = 2
  ) throws(DatasetError) -> DataReport {
    let start = monotonicSeconds()
    var loaded: [LoadedSource] = []
    var seconds: [Double] = []
    for path in paths {
      let sourceStart = monotonicSeconds()
      loaded.append(
        try SourceLoader.load(path, labelsPath: labelsPaths[path], workerCount: workerCount))
      seconds.append(monotonicSeconds() - sourceStart)
    }
    return summarize(loaded, loadSeconds: seconds, startedAt: start)
  }

  /// Reports on sources that are already loaded.
  /// - Parameters:
  ///   - loaded: the sources.
  ///   - loadSeconds: how long each source took to load, shown per source; `nil` shows zeros.
  /// - Returns: the report; its total time covers only the duplicate analysis plus
  ///   `loadSeconds`.
  /// - Precondition: `loadSeconds`, when given, has one entry per source.
  public static func summarize(_ loaded: [LoadedSource], loadSeconds: [Double]? = nil)
    -> DataReport
  {
    let seconds = loadSeconds ?? [Double](repeating: 0, count: loaded.count)
    precondition(
      seconds.count == loaded.count,
      "summarize needs one load time per source, got \(seconds.count) for \(loaded.count)")
    return summarize(
      loaded, loadSeconds: seconds, startedAt: monotonicSeconds() - seconds.reduce(0, +))
  }

  private static func summarize(
    _ loaded: [LoadedSource], loadSeconds: [Double], startedAt start: Double
  ) -> DataReport {
    let sets = loaded.map(\.images)
    let index = PixelContentIndex(sets)
    let sources = loaded.indices.map { i in
      Source(
        path: loaded[i].path, images: sets[i].count, perClass: sets[i].countsPerClass,
        distinctContents: index.distinctCount(inSet: i),
        duplicatesWithin: index.duplicatesWithin(set: i),
        blankImages: sets[i].blankImageIndices().count, skipped: loaded[i].skipped,
        seconds: loadSeconds[i])
    }
    var overlaps: [Overlap] = []
    for a in loaded.indices {
      for b in loaded.indices where a != b {
        overlaps.append(
          Overlap(
            a: loaded[a].path, b: loaded[b].path,
            sharedImages: index.sharedImages(of: a, in: b),
            sharedContents: index.sharedContents(between: a, and: b),
            labelConflicts: index.labelConflicts(between: a, and: b, in: sets)))
      }
    }
    return DataReport(
      sources: sources, overlaps: overlaps, labelConflicts: index.labelConflicts(in: sets),
      seconds: monotonicSeconds() - start)
  }
}

// MARK: - Rendering

extension DataReport {
  /// The report as one JSON object:
  /// `{"sources": [{"path", "images", "perClass", "distinctContents", "skipped": [{"entry",
  /// "reason"}], "duplicatesWithin", "seconds"}], "overlaps": [{"a", "b", "sharedImages",
  /// "sharedContents", "labelConflicts"}], "labelConflicts", "seconds"}`, with a trailing
  /// newline.
  public var jsonText: String {
    let sourceTexts = sources.map { source in
      let skipped = source.skipped.map {
        "{\"entry\": \(JSONText.quoted($0.entry)), "
          + "\"reason\": \(JSONText.quoted($0.reason.description))}"
      }
      return "{\"path\": \(JSONText.quoted(source.path)), \"images\": \(source.images), "
        + "\"perClass\": [\(source.perClass.map(String.init).joined(separator: ", "))], "
        + "\"distinctContents\": \(source.distinctContents), "
        + "\"skipped\": [\(skipped.joined(separator: ", "))], "
        + "\"duplicatesWithin\": \(source.duplicatesWithin), "
        + "\"blankImages\": \(source.blankImages), "
        + "\"seconds\": \(formatSeconds(source.seconds))}"
    }
    let overlapTexts = overlaps.map {
      "{\"a\": \(JSONText.quoted($0.a)), \"b\": \(JSONText.quoted($0.b)), "
        + "\"sharedImages\": \($0.sharedImages), \"sharedContents\": \($0.sharedContents), "
        + "\"labelConflicts\": \($0.labelConflicts)}"
    }
    return "{\"sources\": [\(sourceTexts.joined(separator: ", "))], "
      + "\"overlaps\": [\(overlapTexts.joined(separator: ", "))], "
      + "\"labelConflicts\": \(labelConflicts), \"seconds\": \(formatSeconds(seconds))}\n"
  }

  /// The report as aligned plain-text tables: one row per source with per-class counts, the
  /// skipped entries with reasons, the overlaps, label conflicts and the time taken.
  public var plainText: String {
    var lines = sourceTable()
    for source in sources where !source.skipped.isEmpty {
      lines.append("")
      lines.append("skipped in \(source.path):")
      for entry in source.skipped { lines.append("  \(entry.entry): \(entry.reason)") }
    }
    if !overlaps.isEmpty {
      lines.append("")
      lines += overlapTable()
    }
    lines.append("")
    lines.append("label conflicts (contents with more than one label): \(labelConflicts)")
    lines.append("time: \(formatSeconds(seconds)) s")
    return lines.joined(separator: "\n") + "\n"
  }

  /// One header line and one row per source: images, per-class counts, distinct contents,
  /// duplicates within, skipped entries and seconds.
  private func sourceTable() -> [String] {
    let nameWidth = max(6, sources.map { $0.path.count }.max() ?? 0)
    let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]
    var header = pad("source", nameWidth, left: true) + "  " + pad("images", 7)
    for letter in letters { header += " " + pad(letter, 6) }
    header +=
      "  " + pad("distinct", 8) + "  " + pad("dup-within", 10) + "  " + pad("blank", 5) + "  "
      + pad("skipped", 7)
      + "  " + pad("seconds", 7)
    var lines = [header]
    for source in sources {
      var row = pad(source.path, nameWidth, left: true) + "  " + pad("\(source.images)", 7)
      for count in source.perClass { row += " " + pad("\(count)", 6) }
      row +=
        "  " + pad("\(source.distinctContents)", 8) + "  "
        + pad("\(source.duplicatesWithin)", 10) + "  " + pad("\(source.blankImages)", 5) + "  "
        + pad("\(source.skipped.count)", 7)
        + "  " + pad(formatSeconds(source.seconds), 7)
      lines.append(row)
    }
    return lines
  }

  /// A title, a header line and one row per ordered pair of sources.
  private func overlapTable() -> [String] {
    let aWidth = max(1, overlaps.map { $0.a.count }.max() ?? 0)
    let bWidth = max(1, overlaps.map { $0.b.count }.max() ?? 0)
    var lines = [
      "overlaps (shared: images of a whose exact pixels also occur in b; contents: distinct "
        + "contents in both; conflicts: those with more than one label):",
      "  " + pad("a", aWidth, left: true) + "  " + pad("b", bWidth, left: true) + "  "
        + pad("shared", 7) + "  " + pad("contents", 8) + "  " + pad("conflicts", 9),
    ]
    for overlap in overlaps {
      lines.append(
        "  " + pad(overlap.a, aWidth, left: true) + "  " + pad(overlap.b, bWidth, left: true)
          + "  " + pad("\(overlap.sharedImages)", 7) + "  "
          + pad("\(overlap.sharedContents)", 8) + "  " + pad("\(overlap.labelConflicts)", 9))
    }
    return lines
  }
}

/// Pads `text` with spaces to `width` characters, on the right (`left: true`) or the left.
private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
  let fill = String(repeating: " ", count: max(0, width - text.count))
  return left ? text + fill : fill + text
}

/// Seconds with three decimals.
private func formatSeconds(_ seconds: Double) -> String {
  let millis = Int((seconds * 1000).rounded())
  let fraction = String(millis % 1000)
  return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}
