import Datasets

/// Loads the data sources named on the command line into one image set per split.
enum DataLoading {
  /// Loads and concatenates sources, noting skipped entries on standard error.
  /// - Parameters:
  ///   - paths: folders, archives or idx images files.
  ///   - split: the split's name for messages, such as `training`.
  ///   - console: where the skipped-entry summary goes.
  /// - Returns: all readable images, in the order of `paths`.
  /// - Throws: `CommandLineError.failure` naming the source that cannot be read at all.
  static func load(_ paths: [String], split: String, console: Console) throws(CommandLineError)
    -> ImageSet
  {
    var pixels: [UInt8] = []
    var labels: [UInt8] = []
    var names: [String] = []
    for path in paths {
      let loaded: LoadedSource
      do {
        loaded = try SourceLoader.load(path)
      } catch {
        throw .failure(error.description)
      }
      if !loaded.skipped.isEmpty {
        console.note(
          "\(split): skipped \(loaded.skipped.count) unreadable entr"
            + (loaded.skipped.count == 1 ? "y" : "ies") + " of \(path):")
        for entry in loaded.skipped.prefix(10) {
          console.note("  \(entry.entry): \(entry.reason)")
        }
        if loaded.skipped.count > 10 {
          console.note("  ... and \(loaded.skipped.count - 10) more (see 'notmnist data inspect')")
        }
      }
      pixels += loaded.images.pixels
      labels += loaded.images.labels
      names += loaded.images.names.map { paths.count > 1 ? "\(path):\($0)" : $0 }
    }
    let images = ImageSet(pixels: pixels, labels: labels, names: names)
    guard !images.isEmpty else { throw .failure("\(split) data has no readable images") }
    return images
  }
}
