import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 that serves one body, with `Range: bytes=N-` support,
/// for download tests that must never leave the machine.
///
/// It answers one connection at a time on a background thread and closes each connection
/// after one response.
final class LoopbackHTTPServer: @unchecked Sendable {
  /// How the server misbehaves, if at all.
  struct Behaviour: Sendable {
    /// Answer every request with this status and no body (for example 404).
    var status: Int?
    /// Send the whole body with status 200 even when a range is asked for.
    var ignoresRange = false
    /// Close the connection after this many body bytes, although more were announced.
    var closeAfter: Int?
  }

  /// The port it listens on.
  let port: UInt16
  /// The base URL to fetch from, ending in `/`.
  var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

  private let body: Data
  private let behaviour: Behaviour
  private let listener: Int32
  private let lock = NSLock()
  private var seenRanges: [String?] = []
  /// Signalled when the serving thread has left its loop.
  private let finished = DispatchSemaphore(value: 0)
  private var isStopped = false

  /// The `Range` header of each request so far (`nil` when a request had none).
  var ranges: [String?] { lock.withLock { seenRanges } }

  /// Starts listening on an ephemeral loopback port.
  init(body: Data, behaviour: Behaviour = Behaviour()) throws {
    self.body = body
    self.behaviour = behaviour
    (listener, port) = try Self.listen()
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  /// Stops accepting connections and waits for the serving thread to end.
  ///
  /// The socket is closed only after the thread has left `accept`: closed earlier, its number
  /// could be reused by another test's listener, which this thread would then serve from.
  func stop() {
    let first = lock.withLock {
      defer { isStopped = true }
      return !isStopped
    }
    guard first else { return }
    shutdown(listener, Int32(SHUT_RDWR))  // makes a waiting accept return an error
    finished.wait()
    close(listener)
  }

  /// A loopback port with nothing listening on it (bound, then closed).
  static func unusedPort() throws -> UInt16 {
    let (socket, port) = try listen()
    close(socket)
    return port
  }

  private static func listen() throws -> (Int32, UInt16) {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
        bind(socket, raw, length) == 0 && Glibc.listen(socket, 8) == 0
          && getsockname(socket, raw, &length) == 0
      }
    }
    guard bound else {
      close(socket)
      throw POSIXError(.EADDRINUSE)
    }
    return (socket, UInt16(bigEndian: address.sin_port))
  }

  private func serve() {
    defer { finished.signal() }
    while true {
      let connection = accept(listener, nil, nil)
      guard connection >= 0 else { return }
      respond(on: connection)
      close(connection)
    }
  }

  private func respond(on connection: Int32) {
    var request = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !request.ends(with: Array("\r\n\r\n".utf8)) {
      let count = recv(connection, &buffer, buffer.count, 0)
      guard count > 0 else { return }
      request += buffer.prefix(count)
    }
    let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
    let range = lines.first { $0.lowercased().hasPrefix("range:") }
      .map { $0.dropFirst(6).trimmingCharacters(in: .whitespaces) }
    lock.withLock { seenRanges.append(range) }

    if let status = behaviour.status {
      send(connection, head: "HTTP/1.1 \(status) Status\r\nContent-Length: 0\r\n", body: Data())
      return
    }
    if let range, !behaviour.ignoresRange, range.hasPrefix("bytes="),
      let start = Int(range.dropFirst(6).prefix { $0 != "-" })
    {
      guard start < body.count else {
        send(
          connection, head: "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n",
          body: Data())
        return
      }
      let part = body.subdata(in: start..<body.count)
      send(
        connection,
        head: "HTTP/1.1 206 Partial Content\r\nContent-Length: \(part.count)\r\n"
          + "Content-Range: bytes \(start)-\(body.count - 1)/\(body.count)\r\n",
        body: part)
      return
    }
    send(connection, head: "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n", body: body)
  }

  private func send(_ connection: Int32, head: String, body: Data) {
    let header = Data((head + "Connection: close\r\n\r\n").utf8)
    let payload = header + body.prefix(behaviour.closeAfter ?? body.count)
    payload.withUnsafeBytes { raw in
      var sent = 0
      while sent < raw.count {
        let count = Glibc.send(
          connection, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
        guard count > 0 else { return }
        sent += count
      }
    }
  }
}

extension Array where Element == UInt8 {
  fileprivate func ends(with suffix: [UInt8]) -> Bool {
    count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
  }
}
