import Foundation

/// Finds a TrueType font file on the system: DejaVu Sans at its usual paths first, then any
/// `DejaVuSans.ttf`, then any other sans `.ttf`, under the font directories.
public enum FontLocator {
  /// Where Debian, Ubuntu, Fedora, Arch and macOS (Homebrew) put DejaVu Sans.
  public static let defaultCandidates: [String] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/opt/homebrew/share/fonts/DejaVuSans.ttf",
  ]

  /// The directories scanned, recursively, when no candidate exists.
  public static let defaultSearchDirectories: [String] = [
    "/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts",
  ]

  /// The path of the first usable font.
  ///
  /// Order: the first existing file in `candidates`; else the first `DejaVuSans.ttf` found under
  /// `searchDirectories`; else the first `.ttf` whose name contains "Sans" (not "Mono" or
  /// "Bold"); else the first `.ttf` of any name. Directory entries are visited in sorted order, so
  /// the choice is the same on every run.
  /// - Parameters:
  ///   - candidates: font files to try first, in order.
  ///   - searchDirectories: directories to scan recursively next.
  /// - Returns: the path of the chosen font file.
  /// - Throws: ``PicturesError/fontNotFound(searched:)`` listing every candidate and directory.
  public static func locate(
    candidates: [String] = defaultCandidates,
    searchDirectories: [String] = defaultSearchDirectories
  ) throws(PicturesError) -> String {
    let files = FileManager.default
    if let found = candidates.first(where: { isRegularFile($0) }) { return found }

    var fonts: [String] = []
    for directory in searchDirectories {
      guard let names = files.enumerator(atPath: directory)?.allObjects as? [String] else {
        continue
      }
      fonts += names.sorted().filter { $0.lowercased().hasSuffix(".ttf") }
        .map { directory + "/" + $0 }.filter(isRegularFile)
    }
    func name(_ path: String) -> String { (path as NSString).lastPathComponent }
    let preferences: [(String) -> Bool] = [
      { name($0) == "DejaVuSans.ttf" },
      { name($0).contains("Sans") && !name($0).contains("Mono") && !name($0).contains("Bold") },
      { _ in true },
    ]
    for prefers in preferences {
      if let found = fonts.first(where: prefers) { return found }
    }
    throw PicturesError.fontNotFound(searched: candidates + searchDirectories)
  }

  private static func isRegularFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
      && !isDirectory.boolValue
  }
}
