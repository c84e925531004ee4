import Foundation

/// One font face rendered into notMNIST-style images.
public struct RenderedFace: Sendable, Equatable {
  /// The font file it came from.
  public let fontPath: String
  /// The face's index inside the file (0 unless the file is a collection).
  public let faceIndex: Int
  /// The named instance of a variable face (1-based), or 0 for the face's default design.
  public let instance: Int
  /// The name its images are stored under before base64 encoding: the file name, plus
  /// `#<index>` for a face of a collection, `@<instance>` for a named instance, and `~<n>` when
  /// another file has the same name.
  public let name: String
  /// One `size * size` image per requested letter, in the order of the letters.
  public let images: [[UInt8]]
}

/// Counts that describe one rendering run.
public struct FontRenderSummary: Sendable, Equatable {
  /// Files looked at.
  public var filesScanned = 0
  /// Files FreeType could not open as a font (metrics files, encodings, other data).
  public var filesNotFonts = 0
  /// Faces found in the files FreeType opened.
  public var facesFound = 0
  /// Faces whose images were kept.
  public var facesRendered = 0
  /// Faces left out, by reason.
  public var skipped: [FontSkipReason: Int] = [:]

  /// Creates an empty summary.
  public init() {}
}

/// The result of rendering a set of fonts: the faces kept and the counts.
public struct FontRenderResult: Sendable {
  /// The letters rendered, in image order within each face.
  public let letters: [Character]
  /// The side of every image in pixels.
  public let size: Int
  /// The faces kept, in the sorted order of their files and then face index.
  public let faces: [RenderedFace]
  /// What was scanned, rendered and skipped.
  public let summary: FontRenderSummary
}

/// Progress of a rendering run, reported after each font file.
public struct FontRenderProgress: Sendable {
  /// Font files finished so far.
  public let filesDone: Int
  /// Font files in the run.
  public let filesTotal: Int
  /// Faces kept so far.
  public let facesRendered: Int
}

/// Renders the letters of every font face in a set of files or directories, like notMNIST.
///
/// For each face FreeType opens, and each named instance of a variable face (Light, Bold...),
/// each requested letter is rendered and its ink box resampled
/// into a `size x size` 8-bit image (see `GlyphRasterizer`). A face is skipped, and counted by
/// `FontSkipReason`, when it is bitmap-only, lacks a letter, has an empty glyph, draws the same
/// image for two different letters, or repeats the images of a face already kept.
///
/// ```swift
/// let renderer = FontRenderer(letters: Array("ABCDEFGHIJ"))
/// let result = try renderer.render(paths: FontRenderer.defaultFontDirectories())
/// ```
public struct FontRenderer: Sendable {
  /// The ten notMNIST letters, A (label 0) to J (label 9).
  public static let notMNISTLetters: [Character] = Array("ABCDEFGHIJ")

  /// The letters to render, each one of A...J.
  public let letters: [Character]
  /// Side of each output image in pixels.
  public let size: Int
  /// How the ink box is placed in the image.
  public let fit: GlyphFit
  /// Render scale relative to `size` before averaging down.
  public let oversampling: Int

  /// Creates a renderer.
  /// - Parameters:
  ///   - letters: the letters to render, in label order; all of A...J by default.
  ///   - size: output image side in pixels; 28 by default.
  ///   - fit: `.stretch` (notMNIST, default) or `.aspect`.
  ///   - oversampling: render scale before averaging; 12 by default.
  /// - Precondition: `letters` is a non-empty list of distinct letters from A...J, `size` is in
  ///   1...1024.
  public init(
    letters: [Character] = FontRenderer.notMNISTLetters, size: Int = 28,
    fit: GlyphFit = .stretch, oversampling: Int = 12
  ) {
    precondition(!letters.isEmpty, "FontRenderer needs at least one letter")
    precondition(
      letters.allSatisfy { Self.notMNISTLetters.contains($0) }
        && Set(letters).count == letters.count,
      "FontRenderer letters must be distinct letters of A...J, got \(String(letters))")
    precondition((1...1024).contains(size), "image size must be 1...1024, got \(size)")
    self.letters = letters
    self.size = size
    self.fit = fit
    self.oversampling = oversampling
  }

  /// The usual font directories of a Linux machine, in search order.
  /// - Parameter home: the home directory whose `.fonts` and `.local/share/fonts` are included.
  /// - Returns: `/usr/share/fonts`, `/usr/local/share/fonts`, `~/.fonts`,
  ///   `~/.local/share/fonts`.
  public static func defaultFontDirectories(
    home: String = FileManager.default.homeDirectoryForCurrentUser.path
  ) -> [String] {
    ["/usr/share/fonts", "/usr/local/share/fonts", home + "/.fonts", home + "/.local/share/fonts"]
  }

  /// Every regular file under the given paths, sorted, each file once.
  ///
  /// A path that is a file is taken as it is; a directory is searched recursively, following
  /// symbolic links. Files reached twice (through a link) are listed once, by their first path.
  /// - Parameter paths: files or directories; those that do not exist are ignored.
  /// - Returns: absolute file paths in lexical order.
  public static func files(under paths: [String]) -> [String] {
    let manager = FileManager.default
    var seen = Set<String>()
    var files: [String] = []
    func add(_ path: String) {
      let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
      if seen.insert(resolved).inserted { files.append(path) }
    }
    for path in paths {
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
      guard isDirectory.boolValue else {
        add(path)
        continue
      }
      let root = URL(fileURLWithPath: path).resolvingSymlinksInPath()
      let keys: [URLResourceKey] = [.isRegularFileKey]
      guard let walker = manager.enumerator(at: root, includingPropertiesForKeys: keys) else {
        continue
      }
      var found: [String] = []
      for case let url as URL in walker {
        let values = try? url.resourceValues(forKeys: Set(keys))
        if values?.isRegularFile == true { found.append(url.path) }
      }
      found.sorted().forEach(add)
    }
    return files
  }

  /// Renders every face of every font file under `paths`.
  ///
  /// - Parameters:
  ///   - paths: font files or directories to search (see `files(under:)`).
  ///   - progress: called after each file; the library itself prints nothing.
  /// - Returns: the faces kept and the counts.
  /// - Throws: `RenderError.noFontDirectories` when none of `paths` exists,
  ///   `.freeTypeUnavailable` when FreeType cannot start.
  public func render(
    paths: [String], progress: (FontRenderProgress) -> Void = { _ in }
  ) throws(RenderError) -> FontRenderResult {
    guard paths.contains(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw .noFontDirectories(paths)
    }
    let files = Self.files(under: paths)
    let rasterizer = try GlyphRasterizer(oversampling: oversampling)

    var state = RenderState()
    for (done, path) in files.enumerated() {
      state.summary.filesScanned += 1
      if let faceCount = rasterizer.faceCount(atPath: path) {
        renderFaces(of: path, faceCount: faceCount, with: rasterizer, into: &state)
      } else {
        state.summary.filesNotFonts += 1
      }
      progress(
        FontRenderProgress(
          filesDone: done + 1, filesTotal: files.count, facesRendered: state.faces.count))
    }
    return FontRenderResult(
      letters: letters, size: size, faces: state.faces, summary: state.summary)
  }

  /// What a run has gathered so far.
  private struct RenderState {
    var summary = FontRenderSummary()
    var faces: [RenderedFace] = []
    /// The concatenated images of every kept face, to recognise duplicates.
    var keptImages = Set<[UInt8]>()
    var usedNames = Set<String>()
  }

  /// Renders every face and named instance of one font file, keeping the usable ones.
  private func renderFaces(
    of path: String, faceCount: Int, with rasterizer: GlyphRasterizer,
    into state: inout RenderState
  ) {
    let variants = (0..<faceCount).flatMap { faceIndex in
      let instances = rasterizer.namedInstanceCount(atPath: path, faceIndex: faceIndex)
      return (0...instances).map { (faceIndex, $0) }
    }
    for (faceIndex, instance) in variants {
      state.summary.facesFound += 1
      let outcome = rasterizer.render(
        path: path, faceIndex: faceIndex, instance: instance, letters: letters, size: size,
        fit: fit)
      guard case .rendered(let images) = outcome else {
        if case .skipped(let reason) = outcome { state.summary.skipped[reason, default: 0] += 1 }
        continue
      }
      if Set(images).count < images.count {
        state.summary.skipped[.sameImageForLetters, default: 0] += 1
        continue
      }
      guard state.keptImages.insert(images.flatMap { $0 }).inserted else {
        state.summary.skipped[.duplicateFace, default: 0] += 1
        continue
      }

      let name = Self.uniqueName(
        for: path, faceIndex: faceIndex, faceCount: faceCount, instance: instance,
        used: &state.usedNames)
      state.faces.append(
        RenderedFace(
          fontPath: path, faceIndex: faceIndex, instance: instance, name: name, images: images))
      state.summary.facesRendered += 1
    }
  }

  /// The file name, with `#<index>` for a face of a collection and `@<instance>` for a named
  /// instance, made unique with `~<n>`.
  static func uniqueName(
    for path: String, faceIndex: Int, faceCount: Int, instance: Int = 0, used: inout Set<String>
  ) -> String {
    var base = URL(fileURLWithPath: path).lastPathComponent
    if faceCount > 1 { base += "#\(faceIndex)" }
    if instance > 0 { base += "@\(instance)" }
    var name = base
    var copy = 2
    while !used.insert(name).inserted {
      name = "\(base)~\(copy)"
      copy += 1
    }
    return name
  }
}
