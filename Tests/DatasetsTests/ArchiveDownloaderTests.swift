import Foundation
import Testing

@testable import Datasets

/// Every test serves a small tar.gz from a server on 127.0.0.1 that the test starts itself.
@Suite struct ArchiveDownloaderTests {
  /// A valid tar.gz of a few hundred bytes, written by `NotMNISTWriter`.
  static func smallArchive() throws -> Data {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("tiny.tar.gz").path
    try NotMNISTWriter().write(NotMNISTWriterTests.result, to: .tarGz(path: path))
    return try Data(contentsOf: URL(fileURLWithPath: path))
  }

  /// Runs `body` with a server for `body`'s bytes and a downloader into a fresh folder.
  static func withServer(
    serving body: Data, behaviour: LoopbackHTTPServer.Behaviour = .init(),
    _ test: (LoopbackHTTPServer, ArchiveDownloader, URL) throws -> Void
  ) throws {
    let server = try LoopbackHTTPServer(body: body, behaviour: behaviour)
    defer { server.stop() }
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let downloader = ArchiveDownloader(baseURL: server.baseURL, directory: folder, timeout: 10)
    try test(server, downloader, folder)
  }

  @Test func fullDownloadIsVerifiedAndRenamed() throws {
    let body = try Self.smallArchive()
    let archive = RemoteArchive(name: "tiny.tar.gz", size: Int64(body.count))
    try Self.withServer(serving: body) { server, downloader, folder in
      var reports: [DownloadProgress] = []
      let outcome = try downloader.fetch(archive) { reports.append($0) }

      let path = folder.appendingPathComponent("tiny.tar.gz").path
      #expect(outcome == .downloaded(path: path, resumedFrom: 0))
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == body)
      #expect(!FileManager.default.fileExists(atPath: path + ".part"))
      #expect(server.ranges == [nil])
      #expect(reports.last?.received == Int64(body.count))
      #expect(reports.last?.total == Int64(body.count))
    }
  }

  @Test func partialFileIsResumedWithARangeRequest() throws {
    let body = try Self.smallArchive()
    let archive = RemoteArchive(name: "tiny.tar.gz", size: Int64(body.count))
    try Self.withServer(serving: body) { server, downloader, folder in
      let path = folder.appendingPathComponent("tiny.tar.gz").path
      try body.prefix(100).write(to: URL(fileURLWithPath: path + ".part"))

      let outcome = try downloader.fetch(archive)
      #expect(outcome == .downloaded(path: path, resumedFrom: 100))
      #expect(server.ranges == ["bytes=100-"])
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == body)
    }
  }

  @Test func serverIgnoringTheRangeStartsTheFileOver() throws {
    let body = try Self.smallArchive()
    let archive = RemoteArchive(name: "tiny.tar.gz", size: Int64(body.count))
    var behaviour = LoopbackHTTPServer.Behaviour()
    behaviour.ignoresRange = true
    try Self.withServer(serving: body, behaviour: behaviour) { server, downloader, folder in
      let path = folder.appendingPathComponent("tiny.tar.gz").path
      try Data(repeating: 0xEE, count: 100).write(to: URL(fileURLWithPath: path + ".part"))

      let outcome = try downloader.fetch(archive)
      #expect(outcome == .downloaded(path: path, resumedFrom: 0))
      #expect(server.ranges == ["bytes=100-"])
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == body)
    }
  }

  @Test func brokenTransferKeepsThePartForTheNextRun() throws {
    let body = try Self.smallArchive()
    let archive = RemoteArchive(name: "tiny.tar.gz", size: Int64(body.count))
    var behaviour = LoopbackHTTPServer.Behaviour()
    behaviour.closeAfter = 120
    try Self.withServer(serving: body, behaviour: behaviour) { server, downloader, folder in
      let path = folder.appendingPathComponent("tiny.tar.gz").path
      #expect {
        try downloader.fetch(archive)
      } throws: { error in
        guard case .network(let url, _) = error as? FetchError else { return false }
        return url == server.baseURL.appendingPathComponent("tiny.tar.gz").absoluteString
      }
      #expect(ArchiveDownloader.fileSize(path + ".part") == 120)

      let resumed = try LoopbackHTTPServer(body: body)
      defer { resumed.stop() }
      let outcome = try ArchiveDownloader(baseURL: resumed.baseURL, directory: folder, timeout: 10)
        .fetch(archive)
      #expect(outcome == .downloaded(path: path, resumedFrom: 120))
      #expect(resumed.ranges == ["bytes=120-"])
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == body)
    }
  }

  @Test func serverFileOfAnotherSizeIsASizeMismatch() throws {
    let body = try Self.smallArchive()
    let archive = RemoteArchive(name: "tiny.tar.gz", size: Int64(body.count) + 5)
    try Self.withServer(serving: body) { server, downloader, folder in
      let url = server.baseURL.appendingPathComponent("tiny.tar.gz").absoluteString
      #expect(
        throws: FetchError.sizeMismatch(
          url: url, expected: Int64(body.count) + 5, found: Int64(body.count))
      ) {
        try downloader.fetch(archive)
      }
      #expect(
        !FileManager.default.fileExists(atPath: folder.appendingPathComponent("tiny.tar.gz").path))
    }
  }

  @Test func serverDownNamesTheURLAndTheCause() throws {
    let port = try LoopbackHTTPServer.unusedPort()
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let base = try #require(URL(string: "http://127.0.0.1:\(port)/"))
    let downloader = ArchiveDownloader(baseURL: base, directory: folder, timeout: 10)
    #expect {
      try downloader.fetch(RemoteArchive(name: "tiny.tar.gz", size: 10))
    } throws: { error in
      guard case .network(let url, let reason) = error as? FetchError else { return false }
      return url == "http://127.0.0.1:\(port)/tiny.tar.gz" && reason.contains("connection refused")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test func notFoundIsAnHTTPStatusError() throws {
    var behaviour = LoopbackHTTPServer.Behaviour()
    behaviour.status = 404
    try Self.withServer(serving: Data(), behaviour: behaviour) { server, downloader, _ in
      let url = server.baseURL.appendingPathComponent("tiny.tar.gz").absoluteString
      #expect(throws: FetchError.httpStatus(url: url, status: 404)) {
        try downloader.fetch(RemoteArchive(name: "tiny.tar.gz", size: 10))
      }
    }
  }

  @Test func corruptArchiveIsRemoved() throws {
    let body = Data((0..<500).map { UInt8(truncatingIfNeeded: $0 * 31) })
    let archive = RemoteArchive(name: "tiny.tar.gz", size: 500)
    try Self.withServer(serving: body) { _, downloader, folder in
      let path = folder.appendingPathComponent("tiny.tar.gz").path
      #expect {
        try downloader.fetch(archive)
      } throws: { error in
        guard case .corruptArchive(let failedPath, _) = error as? FetchError else { return false }
        return failedPath == path + ".part"
      }
      #expect(!FileManager.default.fileExists(atPath: path + ".part"))
      #expect(!FileManager.default.fileExists(atPath: path))
    }
  }

  @Test func verifiedArchiveIsNotDownloadedAgain() throws {
    let body = try Self.smallArchive()
    let archive = RemoteArchive(name: "tiny.tar.gz", size: Int64(body.count))
    try Self.withServer(serving: body) { server, downloader, folder in
      _ = try downloader.fetch(archive)
      let outcome = try downloader.fetch(archive)
      #expect(outcome == .alreadyPresent(path: folder.appendingPathComponent("tiny.tar.gz").path))
      #expect(server.ranges.count == 1)
    }
  }

  @Test func existingFileOfAnotherSizeIsReportedNotReplaced() throws {
    let body = try Self.smallArchive()
    let archive = RemoteArchive(name: "tiny.tar.gz", size: Int64(body.count))
    try Self.withServer(serving: body) { server, downloader, folder in
      let path = folder.appendingPathComponent("tiny.tar.gz").path
      try Data(count: 10).write(to: URL(fileURLWithPath: path))
      #expect(
        throws: FetchError.sizeMismatch(url: path, expected: Int64(body.count), found: 10)
      ) {
        try downloader.fetch(archive)
      }
      #expect(server.ranges.isEmpty)
      #expect(ArchiveDownloader.fileSize(path) == 10)
    }
  }

  @Test func verifyCountsTheMembersOfAnArchive() throws {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("a.tar.gz").path
    try Self.smallArchive().write(to: URL(fileURLWithPath: path))
    #expect(try ArchiveDownloader.verifyArchive(atPath: path) == 7)
  }

  @Test func truncatedArchiveFailsVerification() throws {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("a.tar.gz").path
    let body = try Self.smallArchive()
    try body.prefix(body.count - 30).write(to: URL(fileURLWithPath: path))
    #expect {
      try ArchiveDownloader.verifyArchive(atPath: path)
    } throws: { error in
      guard case .corruptArchive(let failedPath, _) = error as? FetchError else { return false }
      return failedPath == path
    }
  }

  @Test func contentRangeHeadersParse() throws {
    let known = try #require(HTTPTransfer.parseContentRange("bytes 100-499/500"))
    #expect(known.first == 100 && known.total == 500)
    let unknown = try #require(HTTPTransfer.parseContentRange("bytes 0-9/*"))
    #expect(unknown.first == 0 && unknown.total == nil)
    #expect(HTTPTransfer.parseContentRange("items 0-9/10") == nil)
  }

  @Test func messagesNameTheURLAndSizes() {
    #expect(
      FetchError.sizeMismatch(url: "http://h/a.tar.gz", expected: 10, found: 12).description
        == "http://h/a.tar.gz: size 12 bytes, expected 10 bytes")
    #expect(
      FetchError.httpStatus(url: "http://h/a.tar.gz", status: 404).description
        == "http://h/a.tar.gz: server answered HTTP 404, expected 200 or 206")
  }
}
