import Datasets
import Foundation
import Testing

@testable import NotMNISTCommands

@Suite struct DataFetchCommandTests {
  static let usageCases: [UsageCase] = [
    UsageCase(
      id: "ftp base", arguments: ["--base-url", "ftp://example.org/"],
      message: "--base-url must be an http:// or https:// address, got 'ftp://example.org/'"),
    UsageCase(
      id: "no host", arguments: ["--base-url", "http://"],
      message: "--base-url must be an http:// or https:// address, got 'http://'"),
    UsageCase(
      id: "zero timeout", arguments: ["--timeout", "0"],
      message: "--timeout must be an integer in 1...3600, got '0'"),
    UsageCase(
      id: "empty dir", arguments: ["--dir", ""], message: "--dir needs a non-empty value (DIR)"),
    UsageCase(id: "switch value", arguments: ["--small=yes"], message: "--small takes no value"),
    UsageCase(id: "stray", arguments: ["small"], message: "unexpected argument 'small'"),
  ]

  @Test(arguments: usageCases)
  func badFlagsAreUsageErrors(_ usageCase: UsageCase) {
    let result = runProgram(["data", "fetch"] + usageCase.arguments)
    #expect(result.status == 64)
    #expect(result.out.isEmpty)
    #expect(result.error == "error: \(usageCase.message)\nusage: \(DataFetchCommand.usage)\n")
  }

  @Test func serverDownIsAFailureNamingTheURL() throws {
    // Bind a loopback port, then close it, so that nothing listens there.
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
        bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
      }
    }
    close(socket)
    try #require(bound)
    let port = UInt16(bigEndian: address.sin_port)
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("notmnist-fetch-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }

    let result = runProgram([
      "data", "fetch", "--base-url", "http://127.0.0.1:\(port)/", "--dir", folder.path,
    ])
    #expect(result.status == 1)
    #expect(result.out.isEmpty)
    #expect(result.error.hasPrefix("fetching http://127.0.0.1:\(port)/notMNIST_small.tar.gz\n"))
    #expect(
      result.error.contains(
        "error: http://127.0.0.1:\(port)/notMNIST_small.tar.gz: download failed: could not "
          + "connect to the server (connection refused)"))
  }

  @Test func progressLineShowsBarPercentSizesAndRate() {
    let progress = DownloadProgress(
      received: 4_300_000, total: 8_458_043, resumedFrom: 1_000_000, elapsed: 2)
    #expect(
      DataFetchCommand.progressLine(name: "notMNIST_small.tar.gz", progress)
        == "notMNIST_small.tar.gz [##########----------]  50.8% | 4.3/8.5 MB | 1.65 MB/s")
  }

  @Test func reportSaysWhatHappened() {
    let small = RemoteArchive.notMNISTSmall
    #expect(
      DataFetchCommand.report(
        small, .downloaded(path: "data/notMNIST_small.tar.gz", resumedFrom: 0))
        == "notMNIST_small.tar.gz: downloaded 8458043 bytes, verified, at data/notMNIST_small.tar.gz"
    )
    #expect(
      DataFetchCommand.report(small, .downloaded(path: "d/x", resumedFrom: 512))
        == "notMNIST_small.tar.gz: downloaded 8458043 bytes (resumed after 512), verified, at d/x")
    #expect(
      DataFetchCommand.report(small, .alreadyPresent(path: "d/x"))
        == "notMNIST_small.tar.gz: already present and verified at d/x")
  }

  @Test func helpListsTheFlagsAndTheDefaultAddress() {
    let result = runProgram(["data", "fetch", "--help"])
    #expect(result.status == 0)
    #expect(result.out.contains("--base-url URL"))
    #expect(result.out.contains(ArchiveDownloader.officialBaseURL))
  }
}
