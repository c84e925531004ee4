import Datasets
import Foundation

/// `notmnist data render`: makes notMNIST-style data from the fonts installed on the machine.
enum DataRenderCommand: Command {
  static let name = "data render"
  static let abstract = "Render the letters A-J of installed fonts into notMNIST-style images."
  static let usage =
    "notmnist data render [--fonts PATH...] [--letters A-J] [--size 28] [--fit stretch|aspect] "
    + "--out PATH"
  static let options: [OptionSpec] = [
    .list(
      "--fonts", "PATH",
      "font files or directories (default: /usr/share/fonts, /usr/local/share/fonts, "
        + "~/.fonts, ~/.local/share/fonts)"),
    .value("--letters", "LETTERS", "a range (A-J) or list (A,C,E) of A..J (default A-J)"),
    .value("--size", "N", "image side in pixels, 8...256 (default 28)"),
    .value("--fit", "MODE", "stretch the ink box to fill the image (default) or keep its aspect"),
    .value(
      "--out", "PATH",
      "output: NAME.tar.gz / NAME.tgz (PNG files) or NAME-images-idx3-ubyte[.gz] (IDX)"),
  ]

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    if let extra = arguments.positional.first {
      throw .usage("unexpected argument '\(extra)'")
    }
    let letters = try parseLetters(arguments.string("--letters") ?? "A-J")
    let size = try arguments.int("--size", default: 28, in: 8...256)
    let fitName = try arguments.choice(
      "--fit", default: GlyphFit.stretch.rawValue, from: GlyphFit.allCases.map(\.rawValue))
    let fit = GlyphFit(rawValue: fitName) ?? .stretch
    let output = try parseOutput(arguments.string("--out"))
    let fontPaths = try parseFontPaths(arguments.strings("--fonts"))

    let renderer = FontRenderer(letters: letters, size: size, fit: fit)
    let result: FontRenderResult
    do {
      result = try renderer.render(paths: fontPaths) { progress in
        guard console.isErrorTerminal || progress.filesDone == progress.filesTotal else { return }
        let line =
          "rendering | file \(progress.filesDone)/\(progress.filesTotal) "
          + "| faces \(progress.facesRendered)"
        console.writeError(console.isErrorTerminal ? "\r" + line : line + "\n")
      }
      if console.isErrorTerminal { console.writeError("\n") }
    } catch {
      throw .failure(error.description)
    }
    guard !result.faces.isEmpty else {
      console.print(summary(of: result, output: nil))
      throw .failure(
        "no usable font face under \(fontPaths.joined(separator: ", ")); nothing written")
    }

    do {
      try NotMNISTWriter().write(result, to: output)
    } catch {
      throw .failure(error.description)
    }
    console.print(summary(of: result, output: output))
    return 0
  }

  /// The paths given with `--fonts`, each of which must exist, or the default font folders.
  static func parseFontPaths(_ given: [String]) throws(CommandLineError) -> [String] {
    for path in given where !FileManager.default.fileExists(atPath: path) {
      throw .usage("--fonts: no such file or directory '\(path)'")
    }
    return given.isEmpty ? FontRenderer.defaultFontDirectories() : given
  }

  /// The output layout named by `--out`, whose folder must exist.
  static func parseOutput(_ path: String?) throws(CommandLineError) -> NotMNISTOutput {
    guard let path else { throw .usage("--out PATH is required") }
    let output: NotMNISTOutput
    do {
      output = try NotMNISTOutput(path: path)
    } catch {
      throw .usage("--out \(error.description)")
    }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw .usage("--out: no such directory '\(folder)'")
    }
    return output
  }

  /// Parses `A-J`, `A-C`, `A,C,E` or `ACE` into distinct letters of A...J in the given order.
  static func parseLetters(_ text: String) throws(CommandLineError) -> [Character] {
    let all = FontRenderer.notMNISTLetters
    let cleaned = text.uppercased().filter { !$0.isWhitespace }
    var letters: [Character] = []
    for part in cleaned.split(separator: ",", omittingEmptySubsequences: false) {
      let pieces = Array(part)
      if pieces.count == 3, pieces[1] == "-",
        let from = all.firstIndex(of: pieces[0]), let to = all.firstIndex(of: pieces[2]), from <= to
      {
        letters += all[from...to]
      } else if !pieces.isEmpty, pieces.allSatisfy({ all.contains($0) }) {
        letters += pieces
      } else {
        throw .usage(
          "--letters must be a range like A-J or a list like A,C,E of A..J, got '\(text)'")
      }
    }
    guard Set(letters).count == letters.count else {
      throw .usage("--letters names a letter twice: '\(text)'")
    }
    return letters
  }

  /// The summary printed on standard output.
  static func summary(of result: FontRenderResult, output: NotMNISTOutput?) -> String {
    let counts = result.summary
    var lines = [
      "font files scanned: \(counts.filesScanned) (\(counts.filesNotFonts) not fonts)",
      "faces found:        \(counts.facesFound)",
      "faces rendered:     \(counts.facesRendered)",
      "faces skipped:      \(counts.skipped.values.reduce(0, +))",
    ]
    for reason in FontSkipReason.allCases {
      lines.append(
        "  \(reason.description.padding(toLength: 34, withPad: " ", startingAt: 0))"
          + "\(counts.skipped[reason] ?? 0)")
    }
    let perClass = result.letters.map { "\($0) \(result.faces.count)" }.joined(separator: "  ")
    lines.append("images per class:   \(perClass)")
    lines.append("images written:     \(result.faces.count * result.letters.count)")
    switch output {
    case .tarGz(let path):
      lines.append("output:             \(path)")
    case .idx(let imagesPath, let labelsPath, _):
      lines.append("output:             \(imagesPath)")
      lines.append("labels:             \(labelsPath)")
    case nil:
      lines.append("output:             none")
    }
    return lines.joined(separator: "\n")
  }
}
