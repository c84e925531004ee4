#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small file-system helpers that report failures as `DatasetError`.
enum FileIO {
  /// What exists at a path.
  enum Kind: Equatable {
    case missing
    case directory
    case file
    case linkToDirectory
    /// A device, FIFO or socket; the payload names it.
    case special(String)
  }

  /// A name for a non-regular, non-folder file type, such as `FIFO` or `character device`.
  static func typeName(mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFIFO: "FIFO"
    case S_IFCHR: "character device"
    case S_IFBLK: "block device"
    case S_IFSOCK: "socket"
    case S_IFLNK: "symbolic link"
    default: "special file"
    }
  }

  /// Whether `path` is missing, a folder, a regular file or something else.
  /// - Parameters:
  ///   - path: the path to examine.
  ///   - followsLinksToFolders: when `false`, a symbolic link to a folder is reported as
  ///     `.linkToDirectory` (so that a folder walk cannot loop); links to files are followed.
  /// - Returns: what exists at `path`.
  static func kind(of path: String, followsLinksToFolders: Bool = true) -> Kind {
    var info = stat()
    guard stat(path, &info) == 0 else { return .missing }
    if (info.st_mode & S_IFMT) == S_IFREG { return .file }
    guard (info.st_mode & S_IFMT) == S_IFDIR else { return .special(typeName(mode: info.st_mode)) }
    guard !followsLinksToFolders else { return .directory }
    var linkInfo = stat()
    guard lstat(path, &linkInfo) == 0 else { return .missing }
    return (linkInfo.st_mode & S_IFMT) == S_IFLNK ? .linkToDirectory : .directory
  }

  /// The size of a file in bytes, or `nil` when it cannot be examined.
  static func size(of path: String) -> Int? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int(info.st_size)
  }

  /// The last `count` bytes of a file, or `nil` when it is shorter or unreadable.
  static func lastBytes(of path: String, count: Int) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    guard fseek(file, -count, SEEK_END) == 0 else { return nil }
    var bytes = [UInt8](repeating: 0, count: count)
    let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, count, file) }
    return read == count ? bytes : nil
  }

  /// Up to the first `count` bytes of a file (fewer when it is shorter), or `nil` when it is
  /// unreadable.
  static func firstBytes(of path: String, count: Int) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes = [UInt8](repeating: 0, count: count)
    let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, count, file) }
    return Array(bytes.prefix(read))
  }

  /// Reads a whole regular file.
  /// - Throws: `DatasetError.fileNotFound`, `.notRegularFile` for a device, FIFO or socket
  ///   (never opened, so a FIFO cannot block), or `.unreadable` with the system's reason.
  static func read(_ path: String) throws(DatasetError) -> [UInt8] {
    if case .special = kind(of: path) { throw .notRegularFile(path: path) }
    guard let file = fopen(path, "rb") else {
      if errno == ENOENT { throw .fileNotFound(path: path) }
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
      bytes.append(contentsOf: chunk[0..<count])
      if count < chunk.count { break }
    }
    guard ferror(file) == 0 else {
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    return bytes
  }

  /// The names in a folder, sorted by their UTF-8 bytes, without `.` and `..`.
  /// - Throws: `DatasetError.unreadable` when the folder cannot be listed.
  static func listFolder(_ path: String) throws(DatasetError) -> [String] {
    guard let folder = opendir(path) else {
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    defer { closedir(folder) }
    var names: [String] = []
    while let entry = readdir(folder) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }
}
