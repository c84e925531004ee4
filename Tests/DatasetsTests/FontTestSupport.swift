import Foundation

/// Paths and temporary folders shared by the font and writer tests.
enum FontFixtures {
  /// The folder holding the tiny TrueType fixtures (see Fixtures/README.md).
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  /// The path of one fixture file.
  static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// DejaVu Sans, which Debian installs with fontconfig.
  static let dejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
  /// Whether DejaVu Sans is installed.
  static let hasDejaVuSans = FileManager.default.fileExists(atPath: dejaVuSans)

  /// A new empty folder under the system's temporary directory.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("notmnist-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Copies fixtures into a new temporary folder, optionally under other names.
  static func folder(with files: [(fixture: String, as: String)]) throws -> URL {
    let folder = try temporaryDirectory()
    for file in files {
      try FileManager.default.copyItem(
        atPath: path(file.fixture), toPath: folder.appendingPathComponent(file.as).path)
    }
    return folder
  }
}
