import Foundation
import Testing

/// A fresh directory under the system's temporary directory, removed when released.
public final class TemporaryDirectory {
  /// The directory.
  public let url: URL

  /// Creates the directory.
  public init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("training-tests-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }

  /// A path inside the directory.
  public func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Runs Python snippets with the repository's `.venv`, which holds the ecosystem's readers.
public enum Python {
  /// The package root, three levels above this file (`Sources/TestSupport/Python.swift`).
  public static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The venv's interpreter.
  public static let interpreter = packageRoot.appendingPathComponent(".venv/bin/python")

  /// Runs `script` with `arguments` (available as `sys.argv[1:]`) and returns its stdout.
  ///
  /// Records an issue and returns `nil` when the venv is missing or the script fails, so a
  /// missing reader never passes silently.
  public static func run(
    _ script: String, arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
  ) -> String? {
    guard FileManager.default.isExecutableFile(atPath: interpreter.path) else {
      let message =
        "\(interpreter.path) is missing: run `bash scripts/setup.sh` to create the Python venv "
        + "with tensorboard, safetensors and scikit-learn"
      Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
      return nil
    }
    let process = Process()
    process.executableURL = interpreter
    process.arguments = ["-c", script] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
    process.environment = environment
    // stderr goes to a file, not a second pipe: reading one pipe to its end while the child
    // fills the other (64 KiB) would block both.
    let errorFile = FileManager.default.temporaryDirectory
      .appendingPathComponent("python-stderr-" + UUID().uuidString)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    guard FileManager.default.createFile(atPath: errorFile.path, contents: nil),
      let errors = try? FileHandle(forWritingTo: errorFile)
    else {
      Issue.record("cannot create \(errorFile.path)", sourceLocation: sourceLocation)
      return nil
    }
    defer { try? errors.close() }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
      try process.run()
    } catch {
      Issue.record("cannot start \(interpreter.path): \(error)", sourceLocation: sourceLocation)
      return nil
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let errorData = (try? Data(contentsOf: errorFile)) ?? Data()
      let message =
        "Python exited with \(process.terminationStatus):\n"
        + Python.shortened(String(decoding: errorData, as: UTF8.self))
      Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
      return nil
    }
    return String(decoding: outputData, as: UTF8.self)
  }

  /// Runs `script` and decodes its stdout as JSON.
  ///
  /// Records an issue and returns `nil` when the script fails or prints something else.
  public static func json(
    _ script: String, arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
  ) -> Any? {
    guard let text = run(script, arguments: arguments, sourceLocation: sourceLocation) else {
      return nil
    }
    do {
      return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    } catch {
      Issue.record("Python printed invalid JSON: \(text)", sourceLocation: sourceLocation)
      return nil
    }
  }

  /// `text` itself, or its first and last 4,000 characters around a line saying how many were
  /// left out, so that a runaway traceback does not flood the test log.
  static func shortened(_ text: String) -> String {
    let keep = 4_000
    guard text.count > 3 * keep else { return text }
    let omitted = text.count - 2 * keep
    return "\(text.prefix(keep))\n… (\(omitted) characters left out) …\n\(text.suffix(keep))"
  }
}
