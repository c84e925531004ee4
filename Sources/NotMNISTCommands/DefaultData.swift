import Datasets
import Foundation

/// The data `notmnist train` uses when no `--train` is given.
///
/// In order of preference: the real archives in the data folder (`notMNIST_large.tar.gz` for
/// training with `notMNIST_small.tar.gz` as the test set, or `notMNIST_small.tar.gz` alone),
/// else a notMNIST-style set rendered once from the installed fonts and cached there as
/// `rendered-fonts.tar.gz`.
enum DefaultData {
  /// The cached font rendering's file name inside the data folder.
  static let renderedName = "rendered-fonts.tar.gz"

  /// What was chosen, with a line that says so.
  struct Choice {
    var trainPaths: [String]
    var testPaths: [String]
    var note: String
  }

  /// Picks the default data, rendering the fonts first if nothing else is there.
  /// - Parameters:
  ///   - directory: the data folder (`--data-dir`, default `data`).
  ///   - console: where rendering progress goes.
  /// - Returns: the training and test paths, with a line naming the choice.
  /// - Throws: `CommandLineError.failure` when no data can be found or made.
  static func choose(in directory: String, console: Console) throws(CommandLineError) -> Choice {
    let large = directory + "/notMNIST_large.tar.gz"
    let small = directory + "/notMNIST_small.tar.gz"
    let files = FileManager.default
    if files.fileExists(atPath: large) {
      let test = files.fileExists(atPath: small) ? [small] : []
      return Choice(
        trainPaths: [large], testPaths: test,
        note: "real notMNIST from \(directory)" + (test.isEmpty ? "" : " (test: notMNIST_small)"))
    }
    if files.fileExists(atPath: small) {
      return Choice(
        trainPaths: [small], testPaths: [], note: "real notMNIST_small from \(directory)")
    }

    let rendered = directory + "/" + renderedName
    if !files.fileExists(atPath: rendered) {
      try render(to: rendered, console: console)
    }
    return Choice(
      trainPaths: [rendered], testPaths: [],
      note: "letters rendered from the installed fonts (\(rendered)); 'notmnist data fetch'"
        + " gets the real archives")
  }

  private static func render(to path: String, console: Console) throws(CommandLineError) {
    console.note(
      "no notMNIST archives in \(URL(fileURLWithPath: path).deletingLastPathComponent().path);"
        + " rendering the installed fonts once into \(path)")
    do {
      try FileManager.default.createDirectory(
        atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
        withIntermediateDirectories: true)
    } catch {
      throw .failure("\(path): cannot create its folder: \(error.localizedDescription)")
    }
    do {
      let output = try NotMNISTOutput(path: path)
      let result = try FontRenderer().render(paths: FontRenderer.defaultFontDirectories())
      guard !result.faces.isEmpty else {
        throw CommandLineError.failure(
          "no usable font is installed; run scripts/setup.sh, or give --train PATH")
      }
      try NotMNISTWriter().write(result, to: output)
      console.note(
        "rendered \(result.faces.count) font faces, \(result.faces.count) images per letter")
    } catch let error as CommandLineError {
      throw error
    } catch {
      throw .failure("\(path): \(error)")
    }
  }
}
