import Datasets
import Foundation

/// `notmnist data fetch`: downloads the official notMNIST archives, resuming partial downloads.
enum DataFetchCommand: Command {
  static let name = "data fetch"
  static let abstract = "Download the official notMNIST archives (resumable, verified)."
  static let usage =
    "notmnist data fetch [--small] [--large] [--dir DIR] [--base-url URL] [--timeout SECONDS]"
  static let options: [OptionSpec] = [
    .flag("--small", "notMNIST_small.tar.gz, 8,458,043 bytes (the default when neither is given)"),
    .flag("--large", "notMNIST_large.tar.gz, 247,336,696 bytes"),
    .value("--dir", "DIR", "where the archives go (default: data/ under the current directory)"),
    .value(
      "--base-url", "URL",
      "server to download from (default \(ArchiveDownloader.officialBaseURL))"),
    .value("--timeout", "SECONDS", "give up after this long without data, 1...3600 (default 60)"),
  ]

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    if let extra = arguments.positional.first {
      throw .usage("unexpected argument '\(extra)'")
    }
    var archives: [RemoteArchive] = []
    if arguments.has("--small") || !arguments.has("--large") { archives.append(.notMNISTSmall) }
    if arguments.has("--large") { archives.append(.notMNISTLarge) }
    let directory = arguments.string("--dir") ?? "data"
    let baseURL = try parseBaseURL(arguments.string("--base-url"))
    let timeout = try arguments.int("--timeout", default: 60, in: 1...3600)

    let downloader = ArchiveDownloader(
      baseURL: baseURL, directory: URL(fileURLWithPath: directory), timeout: TimeInterval(timeout))
    for archive in archives {
      console.note("fetching \(baseURL.appendingPathComponent(archive.name).absoluteString)")
      var lastTenth = -1
      let outcome: FetchOutcome
      do {
        outcome = try downloader.fetch(archive) { progress in
          let tenth = Int(progress.received * 10 / max(1, progress.total))
          if console.isErrorTerminal {
            console.writeError("\r" + progressLine(name: archive.name, progress))
          } else if tenth != lastTenth {
            console.note(progressLine(name: archive.name, progress))
            lastTenth = tenth
          }
        }
      } catch {
        if console.isErrorTerminal { console.writeError("\n") }
        throw .failure(error.description)
      }
      if console.isErrorTerminal { console.writeError("\n") }
      console.print(report(archive, outcome))
    }
    return 0
  }

  /// The server address: `--base-url` when given, which must be http or https with a host.
  static func parseBaseURL(_ text: String?) throws(CommandLineError) -> URL {
    let text = text ?? ArchiveDownloader.officialBaseURL
    guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""),
      url.host?.isEmpty == false
    else {
      throw .usage("--base-url must be an http:// or https:// address, got '\(text)'")
    }
    return url
  }

  /// One progress line: name, bar, percentage, megabytes and rate.
  ///
  /// `notMNIST_small.tar.gz [#########-----------]  48.3% | 4.1/8.5 MB | 1.20 MB/s`
  static func progressLine(name: String, _ progress: DownloadProgress) -> String {
    let fraction = Double(progress.received) / Double(max(1, progress.total))
    let filled = min(20, Int(fraction * 20))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled)
    let megabytes = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1_000_000) }
    let rate =
      progress.elapsed > 0
      ? Double(progress.received - progress.resumedFrom) / progress.elapsed / 1_000_000 : 0
    return "\(name) [\(bar)] \(String(format: "%5.1f", fraction * 100))% | "
      + "\(megabytes(progress.received))/\(megabytes(progress.total)) MB | "
      + "\(String(format: "%.2f", rate)) MB/s"
  }

  /// The result line printed on standard output for one archive.
  static func report(_ archive: RemoteArchive, _ outcome: FetchOutcome) -> String {
    switch outcome {
    case .alreadyPresent(let path):
      "\(archive.name): already present and verified at \(path)"
    case .downloaded(let path, let resumedFrom) where resumedFrom > 0:
      "\(archive.name): downloaded \(archive.size) bytes (resumed after \(resumedFrom)), "
        + "verified, at \(path)"
    case .downloaded(let path, _):
      "\(archive.name): downloaded \(archive.size) bytes, verified, at \(path)"
    }
  }
}
