import CArchive
import CZlib
import Foundation
import TensorCore

/// Where and in which layout rendered images are written, chosen from the output path.
public enum NotMNISTOutput: Equatable, Sendable {
  /// A gzip-compressed tar of `notMNIST_render/<L>/<name>.png`, as the notMNIST archives are
  /// laid out. Chosen by a path ending in `.tar.gz` or `.tgz`.
  case tarGz(path: String)
  /// MNIST-style IDX files: images (magic `0x00000803`, `[N, H, W]`) and labels beside them
  /// (magic `0x00000801`, `[N]`), gzip-compressed when the name ends in `.gz`. Chosen by a path
  /// ending in `-images-idx3-ubyte` or `-images-idx3-ubyte.gz`.
  case idx(imagesPath: String, labelsPath: String, isCompressed: Bool)

  /// Picks the layout from the path's ending.
  /// - Parameter path: the output path given by the user.
  /// - Throws: `RenderError.unsupportedOutput` when the ending is none of the above.
  public init(path: String) throws(RenderError) {
    if path.hasSuffix(".tar.gz") || path.hasSuffix(".tgz") {
      self = .tarGz(path: path)
      return
    }
    for suffix in ["-images-idx3-ubyte.gz", "-images-idx3-ubyte"] where path.hasSuffix(suffix) {
      let stem = String(path.dropLast(suffix.count))
      let labels = stem + suffix.replacingOccurrences(of: "-images-idx3-", with: "-labels-idx1-")
      self = .idx(imagesPath: path, labelsPath: labels, isCompressed: suffix.hasSuffix(".gz"))
      return
    }
    throw .unsupportedOutput(path)
  }
}

/// Writes rendered faces in the notMNIST layouts: a tar.gz of PNG files or IDX files.
///
/// Both layouts list images sorted by letter, then by face (the order of the faces in the
/// result). Labels are the letter's notMNIST class: A is 0 ... J is 9, also when only some
/// letters were rendered. Output is reproducible: tar members carry a fixed time and owner, and
/// gzip headers carry no timestamp.
public struct NotMNISTWriter: Sendable {
  /// The top folder inside a written tar archive.
  public static let archiveRoot = "notMNIST_render"
  /// The modification time given to every tar member: 2011-03-13, as in the notMNIST archives.
  public static let memberTime = 1_300_000_000

  /// Creates a writer.
  public init() {}

  /// The tar member path of one image: `notMNIST_render/<L>/<base64 of name>.png`.
  /// - Parameters:
  ///   - letter: the letter, A...J.
  ///   - faceName: the face's `RenderedFace.name`.
  /// - Returns: the member path inside the archive.
  public static func memberPath(letter: Character, faceName: String) -> String {
    "\(archiveRoot)/\(letter)/\(fileStem(for: faceName)).png"
  }

  /// The base64 of a face name (RFC 4648, padded), as notMNIST names its files.
  ///
  /// `/` and `+` become `_` and `-` (the URL-safe alphabet) so that the result is one path
  /// component.
  /// - Parameter faceName: the face's `RenderedFace.name`.
  /// - Returns: the file name without `.png`.
  public static func fileStem(for faceName: String) -> String {
    Data(faceName.utf8).base64EncodedString()
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "+", with: "-")
  }

  /// Writes a rendering result.
  /// - Parameters:
  ///   - result: the faces and letters to write.
  ///   - output: the layout and path(s).
  /// - Returns: the number of images written.
  /// - Throws: `RenderError.writeFailed` naming the file when it cannot be written,
  ///   `.pngEncoding` when libpng refuses an image.
  @discardableResult
  public func write(_ result: FontRenderResult, to output: NotMNISTOutput) throws(RenderError)
    -> Int
  {
    switch output {
    case .tarGz(let path):
      try writeTarGz(result, to: path)
    case .idx(let imagesPath, let labelsPath, let isCompressed):
      try writeIDX(result, imagesPath: imagesPath, labelsPath: labelsPath, compress: isCompressed)
    }
    return result.faces.count * result.letters.count
  }

  // MARK: - IDX

  /// Writes the IDX image and label files, sorted by letter.
  private func writeIDX(
    _ result: FontRenderResult, imagesPath: String, labelsPath: String, compress: Bool
  ) throws(RenderError) {
    let count = result.faces.count * result.letters.count
    var images = Self.idxHeader(magic: 0x0000_0803, dimensions: [count, result.size, result.size])
    var labels = Self.idxHeader(magic: 0x0000_0801, dimensions: [count])
    images.reserveCapacity(images.count + count * result.size * result.size)
    for (position, letter) in result.letters.enumerated() {
      let label = UInt8(FontRenderer.notMNISTLetters.firstIndex(of: letter) ?? 0)
      for face in result.faces {
        images.append(contentsOf: face.images[position])
        labels.append(label)
      }
    }

    for (path, bytes) in [(imagesPath, images), (labelsPath, labels)] {
      let data = compress ? try Self.gzip(bytes, path: path) : Data(bytes)
      try Self.writeFile(data, to: path)
    }
  }

  /// An IDX header: magic, then each dimension as a big-endian 32-bit integer.
  static func idxHeader(magic: UInt32, dimensions: [Int]) -> [UInt8] {
    ([magic] + dimensions.map { UInt32($0) }).flatMap { value in
      [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }
  }

  /// Compresses bytes into a gzip stream whose header has no time stamp.
  static func gzip(_ bytes: [UInt8], path: String) throws(RenderError) -> Data {
    var stream = z_stream()
    // Window bits 15 + 16 select the gzip wrapper; zlib then writes a zero time stamp.
    let status = deflateInit2_(
      &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else { throw .writeFailed(path: path, reason: "deflateInit2 \(status)") }
    defer { deflateEnd(&stream) }

    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
    var input = bytes
    let result = input.withUnsafeMutableBufferPointer { source in
      output.withUnsafeMutableBufferPointer { target in
        stream.next_in = source.baseAddress
        stream.avail_in = uInt(source.count)
        stream.next_out = target.baseAddress
        stream.avail_out = uInt(target.count)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard result == Z_STREAM_END else {
      throw .writeFailed(path: path, reason: "deflate returned \(result)")
    }
    return Data(output.prefix(Int(stream.total_out)))
  }

  /// Writes a file atomically and durably (see ``AtomicFile``).
  static func writeFile(_ data: Data, to path: String) throws(RenderError) {
    do {
      try AtomicFile.write(data, to: URL(fileURLWithPath: path))
    } catch {
      throw .writeFailed(path: path, reason: error.description)
    }
  }

  // MARK: - tar.gz

  /// Writes the tar.gz archive through a uniquely named temporary file beside `path`, which is
  /// flushed and renamed over it (see ``AtomicFile``) and removed again when writing fails.
  private func writeTarGz(_ result: FontRenderResult, to path: String) throws(RenderError) {
    let temporary: String
    do {
      temporary = try AtomicFile.createTemporary(beside: URL(fileURLWithPath: path))
    } catch {
      throw .writeFailed(path: path, reason: error.description)
    }
    do {
      try writeArchive(result, at: temporary, reportingAs: path)
    } catch {
      unlink(temporary)
      throw error
    }
    do {
      try AtomicFile.moveDurably(temporary, over: path)
    } catch {
      unlink(temporary)
      throw .writeFailed(path: path, reason: error.description)
    }
  }

  /// Writes the archive: a directory entry for the root and each letter, then the PNGs.
  private func writeArchive(
    _ result: FontRenderResult, at temporary: String, reportingAs path: String
  ) throws(RenderError) {
    guard let archive = archive_write_new() else {
      throw .writeFailed(path: path, reason: "libarchive could not start a writer")
    }
    defer { archive_write_free(archive) }
    archive_write_set_format_pax_restricted(archive)
    archive_write_add_filter_gzip(archive)
    // Leaving the time stamp out of the gzip header keeps the archive reproducible.
    archive_write_set_options(archive, "gzip:!timestamp")
    guard archive_write_open_filename(archive, temporary) == ARCHIVE_OK else {
      throw .writeFailed(path: path, reason: Self.message(archive))
    }

    try addEntry(archive, path: Self.archiveRoot + "/", bytes: nil, target: path)
    let encoder = PNGEncoder()
    for (position, letter) in result.letters.enumerated() {
      try addEntry(archive, path: "\(Self.archiveRoot)/\(letter)/", bytes: nil, target: path)
      for face in result.faces {
        let png = try encoder.encode(face.images[position], width: result.size, height: result.size)
        let member = Self.memberPath(letter: letter, faceName: face.name)
        try addEntry(archive, path: member, bytes: png, target: path)
      }
    }

    guard archive_write_close(archive) == ARCHIVE_OK else {
      throw .writeFailed(path: path, reason: Self.message(archive))
    }
  }

  /// Adds one member: a directory when `bytes` is `nil`, otherwise a regular file.
  private func addEntry(
    _ archive: OpaquePointer, path: String, bytes: Data?, target: String
  ) throws(RenderError) {
    guard let entry = archive_entry_new() else {
      throw .writeFailed(path: target, reason: "libarchive could not allocate an entry")
    }
    defer { archive_entry_free(entry) }
    archive_entry_set_pathname(entry, path)
    archive_entry_set_mtime(entry, time_t(Self.memberTime), 0)
    if let bytes {
      archive_entry_set_filetype(entry, UInt32(0o100000))
      archive_entry_set_perm(entry, 0o644)
      archive_entry_set_size(entry, la_int64_t(bytes.count))
    } else {
      archive_entry_set_filetype(entry, UInt32(0o040000))
      archive_entry_set_perm(entry, 0o755)
      archive_entry_set_size(entry, 0)
    }
    guard archive_write_header(archive, entry) == ARCHIVE_OK else {
      throw .writeFailed(path: target, reason: "\(path): \(Self.message(archive))")
    }
    guard let bytes, !bytes.isEmpty else { return }
    let written = bytes.withUnsafeBytes { raw in
      archive_write_data(archive, raw.baseAddress, raw.count)
    }
    guard written == bytes.count else {
      throw .writeFailed(path: target, reason: "\(path): \(Self.message(archive))")
    }
  }

  /// libarchive's last error text.
  private static func message(_ archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
  }
}
