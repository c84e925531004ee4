/// A failure while downloading or verifying a notMNIST archive.
public enum FetchError: Error, Equatable, CustomStringConvertible {
  /// The server could not be reached or the transfer broke: the URL and the underlying error.
  case network(url: String, reason: String)
  /// The server answered with a status other than 200 or 206.
  case httpStatus(url: String, status: Int)
  /// The server's file, or the downloaded file, does not have the published size.
  case sizeMismatch(url: String, expected: Int64, found: Int64)
  /// A local file could not be created, written, read or renamed.
  case fileSystem(path: String, reason: String)
  /// The complete download is not a readable gzip-compressed tar archive.
  case corruptArchive(path: String, reason: String)

  /// The message, naming the URL or file, what was expected and what was found.
  public var description: String {
    switch self {
    case .network(let url, let reason):
      "\(url): download failed: \(reason)\n"
        + "hint: check the network connection; a partial download is kept and resumed next time"
    case .httpStatus(let url, let status):
      "\(url): server answered HTTP \(status), expected 200 or 206"
    case .sizeMismatch(let url, let expected, let found):
      "\(url): size \(found) bytes, expected \(expected) bytes"
    case .fileSystem(let path, let reason):
      "\(path): \(reason)"
    case .corruptArchive(let path, let reason):
      "\(path): not a valid gzip-compressed tar archive: \(reason)\n"
        + "hint: the file was removed; run the command again to download it afresh"
    }
  }
}
