import Datasets

/// `notmnist data inspect PATH... [--json]`: what is in the data, and what is wrong with it.
enum DataInspectCommand: Command {
  static let name = "data inspect"
  static let abstract =
    "Report images per class, skipped files, duplicates and label conflicts of data sources."
  static let usage = "notmnist data inspect PATH... [--labels FILE] [--json]"
  static var options: [OptionSpec] {
    [
      .value(
        "--labels", "FILE", "labels file for a single idx images PATH (default: found beside it)"),
      .flag("--json", "print one JSON object instead of tables"),
    ]
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    let paths = arguments.positional
    guard !paths.isEmpty else { throw .usage("give at least one data PATH") }
    let labelsPath = arguments.string("--labels")
    if labelsPath != nil && paths.count != 1 {
      throw .usage("--labels applies to a single idx images PATH, got \(paths.count) paths")
    }

    let report: DataReport
    do {
      let labels = labelsPath.map { [paths[0]: $0] } ?? [:]
      report = try DataReport.inspect(paths: paths, labelsPaths: labels)
    } catch {
      throw .failure(error.description)
    }
    console.write(arguments.has("--json") ? report.jsonText : report.plainText)
    return 0
  }
}
