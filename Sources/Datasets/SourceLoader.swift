import Dispatch

/// The images read from one source, and the entries that were left out and why.
public struct LoadedSource: Sendable, Equatable {
  /// The source's path as given.
  public var path: String
  /// The readable images, in source order (archive order, sorted folder order, idx order).
  public var images: ImageSet
  /// The entries that were skipped, in source order, each with its reason.
  public var skipped: [SkippedEntry]

  /// Creates a loaded source.
  /// - Parameters:
  ///   - path: the source's path.
  ///   - images: its readable images.
  ///   - skipped: its skipped entries.
  public init(path: String, images: ImageSet, skipped: [SkippedEntry]) {
    self.path = path
    self.images = images
    self.skipped = skipped
  }
}

/// Reads notMNIST images from a folder tree, an archive or an idx file, straight into memory.
///
/// Sources, by path:
/// - a folder with one subfolder per letter (`A`...`J`, any case) holding `.png` files (any case
///   of the extension); files are read in sorted path order;
/// - a `.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz` or `.zip` archive holding such a tree at
///   any depth, streamed through libarchive and never unpacked to disk;
/// - any other file is an idx images file, plain or gzip (detected from the content), whose
///   labels file is given or found beside it (see ``IDXReader``); a file that neither starts
///   like idx (magic or gzip header) nor has an idx-like name (`idx`, `ubyte`) is refused as
///   ``DatasetError/notADataSource(path:)``.
///
/// An image's label is the letter of the folder it sits in directly. Hidden and OS junk is
/// ignored: any path component starting with `.` (`.DS_Store`, `._x.png`, `.git/`), `__MACOSX`,
/// `Thumbs.db`, `desktop.ini`. Symbolic links to folders inside a folder source are not
/// followed, so a link loop cannot make the walk endless. Files in letter folders are decoded by
/// ``PNGDecoder`` on `workerCount` threads while the archive streams; an empty, truncated,
/// non-PNG or corrupt file, or an image that is not 28x28, becomes a ``SkippedEntry``, never a
/// black image. A `.png` outside a letter folder is skipped as ``SkipReason/noLetterFolder``, and
/// a file with another extension inside a letter folder as ``SkipReason/notPNG``; other files are
/// ignored. Entries in letter folders that must not be read are skipped with their data unread:
/// files over ``maxImageFileBytes`` (``SkipReason/tooLarge(bytes:)``), devices, FIFOs and, in
/// archives, symbolic and hard links (``SkipReason/notRegularFile(_:)``), and archive paths that
/// are absolute or hold `..` (``SkipReason/unsafePath``). A source path that is a device or FIFO
/// is refused as ``DatasetError/notRegularFile(path:)``.
public enum SourceLoader {
  /// The largest file in a letter folder that is read: 1 MiB.
  ///
  /// A 28x28 PNG takes well under 4 KiB; larger files are skipped as
  /// ``SkipReason/tooLarge(bytes:)`` without reading them.
  public static let maxImageFileBytes = 1 << 20

  /// How a path is read.
  public enum Kind: Equatable, Sendable {
    /// A folder tree of letter folders.
    case folder
    /// An archive read through libarchive.
    case archive
    /// An idx images file.
    case idx
  }

  /// Decides how `path` is read: folders by type, archives by extension, anything else as idx.
  /// - Parameter path: the source.
  /// - Returns: the kind of source.
  /// - Throws: `DatasetError.fileNotFound` when nothing exists at `path`, `.notRegularFile` for
  ///   a device, FIFO or socket.
  public static func kind(of path: String) throws(DatasetError) -> Kind {
    switch FileIO.kind(of: path) {
    case .missing: throw .fileNotFound(path: path)
    case .special: throw .notRegularFile(path: path)
    case .directory, .linkToDirectory: return .folder
    case .file:
      let lower = path.lowercased()
      let archiveSuffixes = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip"]
      return archiveSuffixes.contains { lower.hasSuffix($0) } ? .archive : .idx
    }
  }

  /// Reads every image of one source.
  /// - Parameters:
  ///   - path: a folder, archive or idx images file.
  ///   - labelsPath: for an idx source, its labels file; `nil` looks beside the images file.
  ///     Ignored for folders and archives.
  ///   - workerCount: threads that decode PNGs while the source is read; default 2.
  /// - Returns: the images and the skipped entries.
  /// - Throws: `DatasetError` when the source cannot be read at all: missing, not an archive,
  ///   truncated archive, bad idx header, idx count mismatch, or no letter folders.
  /// - Precondition: `workerCount >= 1`.
  public static func load(
    _ path: String, labelsPath: String? = nil, workerCount: Int = 2
  ) throws(DatasetError) -> LoadedSource {
    precondition(workerCount >= 1, "workerCount must be at least 1, got \(workerCount)")
    switch try kind(of: path) {
    case .idx:
      guard looksLikeIDX(path) else { throw .notADataSource(path: path) }
      let images = try IDXReader.read(imagesAt: path, labelsAt: labelsPath)
      return LoadedSource(path: path, images: images, skipped: [])
    case .archive:
      let pipeline = DecodePipeline(workerCount: workerCount)
      pipeline.reserve(estimatedCount: estimatedEntryCount(archiveAt: path))
      try ArchiveReader.forEachFile(
        in: path, maxBytes: maxImageFileBytes, wants: { EntryPath.classify($0).needsData },
        body: { name, bytes, skip in pipeline.add(name: name, bytes: bytes, skip: skip) })
      return try pipeline.finish(path: path)
    case .folder:
      let pipeline = DecodePipeline(workerCount: workerCount)
      try walkFolder(root: path, relative: "", into: pipeline)
      return try pipeline.finish(path: path)
    }
  }

  /// Whether a file that is no archive should be read as idx.
  ///
  /// It should when it starts with an idx magic (`0x00000801` or `0x00000803`) or a gzip
  /// header, or when its name says idx (`idx`, `ubyte`). Files that look like idx keep the idx
  /// reader's precise errors; others are ``DatasetError/notADataSource(path:)``.
  private static func looksLikeIDX(_ path: String) -> Bool {
    let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
    if name.contains("idx") || name.contains("ubyte") { return true }
    guard let head = FileIO.firstBytes(of: path, count: 4) else { return true }
    if head.starts(with: [0x1F, 0x8B]) { return true }
    return head == [0, 0, 8, 1] || head == [0, 0, 8, 3]
  }

  /// A generous estimate of an archive's entry count, from its (uncompressed) size: a tar entry
  /// takes at least 1 KiB (a 512-byte header and one data block); a zip entry or a compressed
  /// tar entry is taken as 256 bytes.
  private static func estimatedEntryCount(archiveAt path: String) -> Int {
    guard let size = FileIO.size(of: path) else { return 0 }
    let lower = path.lowercased()
    if lower.hasSuffix(".tar") { return size / 1024 }
    if lower.hasSuffix(".gz") || lower.hasSuffix(".tgz"),
      let trailer = FileIO.lastBytes(of: path, count: 4)
    {
      // The gzip trailer holds the uncompressed size modulo 2^32.
      let unpacked = trailer.reversed().reduce(0) { $0 << 8 | Int($1) }
      return max(unpacked, size) / 1024
    }
    return size / 256
  }

  private static func walkFolder(
    root: String, relative: String, into pipeline: DecodePipeline
  ) throws(DatasetError) {
    let folder = relative.isEmpty ? root : root + "/" + relative
    for name in try FileIO.listFolder(folder) {
      let child = relative.isEmpty ? name : relative + "/" + name
      let full = root + "/" + child
      if EntryPath.isJunk(component: name) { continue }
      switch FileIO.kind(of: full, followsLinksToFolders: false) {
      case .directory:
        try walkFolder(root: root, relative: child, into: pipeline)
        continue
      case .linkToDirectory, .missing:
        continue
      case .special(let type):
        pipeline.add(name: child, bytes: nil, skip: .notRegularFile(type))
        continue
      case .file:
        break
      }
      guard EntryPath.classify(child).needsData else {
        pipeline.add(name: child, bytes: nil)
        continue
      }
      if let size = FileIO.size(of: full), size > maxImageFileBytes {
        pipeline.add(name: child, bytes: nil, skip: .tooLarge(bytes: size))
        continue
      }
      pipeline.add(name: child, bytes: try FileIO.read(full))
    }
  }
}

// MARK: - Entry paths

/// Decides what an entry path inside a source is: junk, a labelled image, or a skipped file.
enum EntryPath {
  /// What to do with one entry.
  enum Classification: Equatable {
    /// Hidden, OS junk, or a non-PNG file outside letter folders: not part of the data.
    case ignored
    /// A `.png` file in a letter folder: decode it.
    case image(label: UInt8)
    /// Reported as skipped without reading it.
    case skipped(SkipReason)

    var needsData: Bool {
      if case .image = self { return true }
      return false
    }
  }

  /// Whether a single path component marks junk (hidden files and folders, macOS and Windows
  /// metadata).
  static func isJunk(component: String) -> Bool {
    var text = component
    return text.withUTF8 { isJunk($0[...]) }
  }

  /// Classifies an entry path such as `notMNIST_small/A/xyz.png` or `./B/q.PNG`.
  ///
  /// Works on the path's UTF-8 bytes without allocating: an archive has half a million entries.
  static func classify(_ path: String) -> Classification {
    var text = path
    return text.withUTF8 { bytes in
      var file: Slice<UnsafeBufferPointer<UInt8>>?
      var folder: Slice<UnsafeBufferPointer<UInt8>>?
      var start = 0
      for end in 0...bytes.count where end == bytes.count || bytes[end] == slash {
        defer { start = end + 1 }
        let component = bytes[start..<end]
        if component.isEmpty || (component.count <= 2 && component.allSatisfy({ $0 == dot })) {
          // `.` and `..` say nothing about the letter; archives with `..` are refused elsewhere.
          continue
        }
        if isJunk(component) { return .ignored }
        folder = file
        file = component
      }
      guard let file else { return .ignored }
      let label = folder.flatMap(letterLabel)
      let isPNG = file.count >= 4 && file.suffix(4).map { $0 | 0x20 } == pngExtension
      switch (label, isPNG) {
      case (let label?, true): return .image(label: label)
      case (_?, false): return .skipped(.notPNG)
      case (nil, true): return .skipped(.noLetterFolder)
      case (nil, false): return .ignored
      }
    }
  }

  private static let slash = UInt8(ascii: "/")
  private static let dot = UInt8(ascii: ".")
  /// `.png` in lower case; `| 0x20` lowers ASCII letters and leaves `.` alone.
  private static let pngExtension = Array(".png".utf8)
  private static let junkNames = ["__MACOSX", "Thumbs.db", "desktop.ini"].map { Array($0.utf8) }

  private static func isJunk(_ component: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    if component.first == dot { return component.count > 1 }
    return junkNames.contains { $0.elementsEqual(component) }
  }

  /// The label (0 to 9) of a folder named `A` to `J` in either case, or `nil`.
  private static func letterLabel(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> UInt8? {
    guard name.count == 1, let byte = name.first else { return nil }
    switch byte {
    case 0x41...0x4A: return byte - 0x41
    case 0x61...0x6A: return byte - 0x61
    default: return nil
    }
  }
}

// MARK: - Parallel decoding

/// Entries read but not yet decoded, with their bytes packed into one buffer.
private final class EntryBatch: @unchecked Sendable {
  var names: [String] = []
  var labels: [UInt8] = []
  var presetReasons: [SkipReason?] = []
  var bytes: [UInt8] = []
  var offsets: [Int] = [0]
  // Filled by the decode job; read only after it has finished.
  var pixels: [UInt8] = []
  var reasons: [SkipReason?] = []

  var count: Int { names.count }
}

/// Collects entries in batches and decodes each batch on worker threads while the reader goes
/// on with the next one, then appends the results in source order.
private final class DecodePipeline {
  private let workerCount: Int
  private let batchLimit = 2048
  private var current = EntryBatch()
  private var inFlight: EntryBatch?
  private let group = DispatchGroup()
  private var images = ImageSet()
  private var skipped: [SkippedEntry] = []
  private var fileCount = 0

  init(workerCount: Int) {
    self.workerCount = workerCount
  }

  /// Reserves room for about `estimatedCount` images, at most 2 million.
  func reserve(estimatedCount: Int) {
    images.reserveCapacity(min(estimatedCount, 2_000_000))
  }

  /// Adds one entry; `bytes` is `nil` for entries whose data was not needed or not read.
  ///
  /// An entry the path rules ignore stays ignored; otherwise `skip`, when given, is the reason
  /// it is reported as skipped.
  func add(name: String, bytes: [UInt8]?, skip: SkipReason? = nil) {
    let label: UInt8
    let preset: SkipReason?
    switch EntryPath.classify(name) {
    case .ignored: return
    case .image(let value): (label, preset) = skip.map { (0, $0) } ?? (value, nil)
    case .skipped(let reason): (label, preset) = (0, skip ?? reason)
    }
    fileCount += 1
    current.names.append(name)
    current.labels.append(label)
    current.presetReasons.append(preset)
    if let bytes { current.bytes.append(contentsOf: bytes) }
    current.offsets.append(current.bytes.count)
    if current.count >= batchLimit { dispatchCurrent() }
  }

  /// Decodes what is left and returns the source.
  /// - Throws: `DatasetError.noImages` when the source held no file in a letter folder.
  func finish(path: String) throws(DatasetError) -> LoadedSource {
    dispatchCurrent()
    collectInFlight()
    guard fileCount > 0 else { throw .noImages(path: path) }
    return LoadedSource(path: path, images: images, skipped: skipped)
  }

  private func dispatchCurrent() {
    collectInFlight()
    guard current.count > 0 else { return }
    let batch = current
    let workers = workerCount
    current = EntryBatch()
    inFlight = batch
    DispatchQueue.global().async(group: group) {
      Self.decode(batch, workerCount: workers)
    }
  }

  private func collectInFlight() {
    guard let batch = inFlight else { return }
    group.wait()
    inFlight = nil
    for i in 0..<batch.count {
      if let reason = batch.reasons[i] {
        skipped.append(SkippedEntry(entry: batch.names[i], reason: reason))
      } else {
        let start = i * ImageSet.pixelsPerImage
        images.append(
          pixels: batch.pixels[start..<(start + ImageSet.pixelsPerImage)],
          label: batch.labels[i], name: batch.names[i])
      }
    }
  }

  /// Decodes a batch, worker `w` taking entries `w, w + workers, ...`.
  private static func decode(_ batch: EntryBatch, workerCount: Int) {
    let count = batch.count
    batch.pixels = [UInt8](repeating: 0, count: count * ImageSet.pixelsPerImage)
    batch.reasons = batch.presetReasons
    batch.bytes.withUnsafeBytes { source in
      batch.pixels.withUnsafeMutableBufferPointer { pixelBuffer in
        batch.reasons.withUnsafeMutableBufferPointer { reasonBuffer in
          nonisolated(unsafe) let source = source
          nonisolated(unsafe) let pixels = pixelBuffer
          nonisolated(unsafe) let reasons = reasonBuffer
          let offsets = batch.offsets
          DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
            let decoder = PNGDecoder()
            for i in stride(from: worker, to: count, by: workerCount) where reasons[i] == nil {
              let data = UnsafeRawBufferPointer(rebasing: source[offsets[i]..<offsets[i + 1]])
              let output = UnsafeMutableBufferPointer(
                rebasing: pixels[(i * ImageSet.pixelsPerImage)...])
              reasons[i] = decoder.decode(data, into: output)
            }
          }
        }
      }
    }
  }
}
