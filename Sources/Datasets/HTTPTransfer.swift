import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// One HTTP GET that appends the response body to a `.part` file, asking for a byte range when
/// the file already holds the start.
///
/// URLSession calls the delegate methods on its own queue; they only touch state under `lock`.
/// `run` waits on the calling thread and reports progress there, so callers need not be
/// `Sendable`.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  private let url: URL
  private let partPath: String
  private let expectedSize: Int64
  private let timeout: TimeInterval
  private let lock = NSLock()
  private let wakeUp = DispatchSemaphore(value: 0)
  private var handle: FileHandle?
  private var offset: Int64
  private var received: Int64 = 0
  private var failure: FetchError?
  private var isFinished = false

  /// The offset the server actually resumed from (0 when it sent the whole file).
  var resumedFrom: Int64 { lock.withLock { offset } }

  init(url: URL, partPath: String, offset: Int64, expectedSize: Int64, timeout: TimeInterval) {
    self.url = url
    self.partPath = partPath
    self.offset = offset
    self.expectedSize = expectedSize
    self.timeout = timeout
  }

  /// Runs the transfer to its end, calling `progress` about five times a second.
  func run(progress: (DownloadProgress) -> Void) throws(FetchError) {
    let file = try openPartFile()
    handle = file
    defer { try? file.close() }

    var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData)
    request.timeoutInterval = timeout
    // A compressed transfer encoding would make byte ranges refer to other bytes.
    request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
    if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.urlCache = nil
    let queue = OperationQueue()
    queue.maxConcurrentOperationCount = 1
    let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    session.dataTask(with: request).resume()

    let started = Date()
    var lastReport = Date.distantPast
    while true {
      _ = wakeUp.wait(timeout: .now() + 0.2)
      let (done, failed, start, bytes) = lock.withLock {
        (isFinished, failure != nil, offset, received)
      }
      if !failed && (done || Date().timeIntervalSince(lastReport) >= 0.2) {
        progress(
          DownloadProgress(
            received: start + bytes, total: expectedSize, resumedFrom: start,
            elapsed: Date().timeIntervalSince(started)))
        lastReport = Date()
      }
      if done { break }
    }
    session.finishTasksAndInvalidate()
    if let failure = lock.withLock({ failure }) { throw failure }
  }

  /// Opens the `.part` file for appending, creating it when missing.
  private func openPartFile() throws(FetchError) -> FileHandle {
    if !FileManager.default.fileExists(atPath: partPath) {
      guard FileManager.default.createFile(atPath: partPath, contents: nil) else {
        throw .fileSystem(path: partPath, reason: "cannot create the file")
      }
    }
    guard let file = FileHandle(forWritingAtPath: partPath) else {
      throw .fileSystem(path: partPath, reason: "cannot open the file for writing")
    }
    file.seekToEndOfFile()
    return file
  }

  // MARK: - URLSessionDataDelegate

  func urlSession(
    _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
  ) {
    let problem = lock.withLock { accept(response) }
    if let problem {
      lock.withLock { failure = problem }
      completionHandler(.cancel)
    } else {
      completionHandler(.allow)
    }
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    lock.withLock {
      guard failure == nil, let handle else { return }
      received += Int64(data.count)
      guard offset + received <= expectedSize else {
        failure = .sizeMismatch(
          url: url.absoluteString, expected: expectedSize, found: offset + received)
        dataTask.cancel()
        return
      }
      do {
        try handle.write(contentsOf: data)
      } catch {
        failure = .fileSystem(path: partPath, reason: error.localizedDescription)
        dataTask.cancel()
      }
    }
    wakeUp.signal()
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
    lock.withLock {
      if let error, failure == nil {
        failure = .network(url: url.absoluteString, reason: Self.describe(error))
      }
      isFinished = true
    }
    wakeUp.signal()
  }

  // MARK: - Helpers

  /// Checks the response status and sizes; returns the failure when the body must not be kept.
  ///
  /// Called with `lock` held.
  private func accept(_ response: URLResponse) -> FetchError? {
    guard let http = response as? HTTPURLResponse else {
      return .network(url: url.absoluteString, reason: "the answer is not an HTTP response")
    }
    switch http.statusCode {
    case 206:
      let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
      guard let (first, total) = Self.parseContentRange(range), first == offset else {
        return .network(
          url: url.absoluteString,
          reason: "asked for bytes from \(offset), server sent Content-Range '\(range)'")
      }
      if let total, total != expectedSize {
        return .sizeMismatch(url: url.absoluteString, expected: expectedSize, found: total)
      }
      return nil
    case 200:
      // The server ignored the range and sends the whole file: start the file over.
      if offset > 0, let handle {
        do {
          try handle.truncate(atOffset: 0)
        } catch {
          return .fileSystem(path: partPath, reason: error.localizedDescription)
        }
        offset = 0
      }
      let length = http.expectedContentLength
      if length >= 0, length != expectedSize {
        return .sizeMismatch(url: url.absoluteString, expected: expectedSize, found: length)
      }
      return nil
    default:
      return .httpStatus(url: url.absoluteString, status: http.statusCode)
    }
  }

  /// Parses `bytes <first>-<last>/<total>`; the total may be `*` (unknown).
  static func parseContentRange(_ text: String) -> (first: Int64, total: Int64?)? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("bytes ") else { return nil }
    let parts = trimmed.dropFirst(6).split(separator: "/")
    guard parts.count == 2, let dash = parts[0].firstIndex(of: "-"),
      let first = Int64(parts[0][..<dash])
    else { return nil }
    return (first, Int64(parts[1]))
  }

  /// The underlying error in words, with URLError's code for searching.
  static func describe(_ error: Error) -> String {
    guard let urlError = error as? URLError else { return "\(error)" }
    let words: String
    switch urlError.code {
    case .cannotConnectToHost: words = "could not connect to the server (connection refused)"
    case .cannotFindHost: words = "could not resolve the host name"
    case .dnsLookupFailed: words = "DNS lookup failed"
    case .notConnectedToInternet: words = "not connected to the internet"
    case .timedOut: words = "timed out"
    case .networkConnectionLost: words = "the connection was lost"
    case .secureConnectionFailed: words = "the TLS connection failed"
    default: words = urlError.localizedDescription
    }
    return "\(words) (URLError \(urlError.code.rawValue))"
  }
}
