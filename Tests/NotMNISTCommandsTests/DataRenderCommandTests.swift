import Foundation
import Testing

@testable import NotMNISTCommands

@Suite struct DataRenderCommandTests {
  /// The tiny TrueType fixtures of the Datasets tests (see their Fixtures/README.md).
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("DatasetsTests/Fixtures")

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("notmnist-render-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test func rendersFixtureFontsAndPrintsTheSummary() throws {
    let folder = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("fonts.tar.gz").path
    let result = runProgram([
      "data", "render", "--fonts", Self.fixtures.appendingPathComponent("Holes.ttc").path,
      Self.fixtures.appendingPathComponent("OnlyA.ttf").path, "--out", out,
    ])
    #expect(result.status == 0)
    #expect(FileManager.default.fileExists(atPath: out))
    #expect(
      result.out == """
        font files scanned: 2 (0 not fonts)
        faces found:        3
        faces rendered:     2
        faces skipped:      1
          not scalable                      0
          missing letter                    1
          empty glyph                       0
          same image for different letters  0
          duplicate face                    0
          render failed                     0
        images per class:   A 2  B 2  C 2  D 2  E 2  F 2  G 2  H 2  I 2  J 2
        images written:     20
        output:             \(out)

        """)
    #expect(result.error == "rendering | file 2/2 | faces 2\n")
  }

  @Test func idxOutputNamesBothFilesAndHonoursLetters() throws {
    let folder = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("f-images-idx3-ubyte").path
    let result = runProgram([
      "data", "render", "--fonts", Self.fixtures.appendingPathComponent("Holes.ttf").path,
      "--letters", "A,C,E", "--size", "16", "--out", out,
    ])
    #expect(result.status == 0)
    #expect(result.out.contains("images per class:   A 1  C 1  E 1\n"))
    #expect(result.out.hasSuffix("labels:             \(folder.path)/f-labels-idx1-ubyte\n"))
    let images = try Data(contentsOf: URL(fileURLWithPath: out))
    #expect([UInt8](images.prefix(16)) == [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 16, 0, 0, 0, 16])
    let labels = try Data(contentsOf: folder.appendingPathComponent("f-labels-idx1-ubyte"))
    #expect([UInt8](labels) == [0, 0, 8, 1, 0, 0, 0, 3, 0, 2, 4])
  }

  @Test func noUsableFaceExitsWithFailure() throws {
    let folder = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = runProgram([
      "data", "render", "--fonts", Self.fixtures.appendingPathComponent("SameBox.ttf").path,
      "--out", folder.appendingPathComponent("x.tgz").path,
    ])
    #expect(result.status == 1)
    #expect(result.out.contains("  same image for different letters  1\n"))
    #expect(result.out.hasSuffix("output:             none\n"))
    #expect(result.error.hasSuffix("; nothing written\n"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.tgz").path))
  }

  static let usageCases: [UsageCase] = [
    UsageCase(id: "no output", arguments: [], message: "--out PATH is required"),
    UsageCase(
      id: "bad output name", arguments: ["--out", "x.zip"],
      message:
        "--out x.zip: expected a name ending in .tar.gz, .tgz, -images-idx3-ubyte or "
        + "-images-idx3-ubyte.gz"),
    UsageCase(
      id: "letter outside A-J", arguments: ["--letters", "A-K", "--out", "x.tgz"],
      message: "--letters must be a range like A-J or a list like A,C,E of A..J, got 'A-K'"),
    UsageCase(
      id: "reversed range", arguments: ["--letters", "J-A", "--out", "x.tgz"],
      message: "--letters must be a range like A-J or a list like A,C,E of A..J, got 'J-A'"),
    UsageCase(
      id: "letter twice", arguments: ["--letters", "A-C,B", "--out", "x.tgz"],
      message: "--letters names a letter twice: 'A-C,B'"),
    UsageCase(
      id: "size too small", arguments: ["--size", "4", "--out", "x.tgz"],
      message: "--size must be an integer in 8...256, got '4'"),
    UsageCase(
      id: "unknown fit", arguments: ["--fit", "crop", "--out", "x.tgz"],
      message: "--fit must be one of stretch, aspect, got 'crop'"),
    UsageCase(
      id: "missing font path", arguments: ["--fonts", "/nonexistent/fonts", "--out", "x.tgz"],
      message: "--fonts: no such file or directory '/nonexistent/fonts'"),
    UsageCase(
      id: "missing output folder", arguments: ["--out", "/nonexistent-dir/x.tgz"],
      message: "--out: no such directory '/nonexistent-dir'"),
    UsageCase(
      id: "stray argument", arguments: ["fonts", "--out", "x.tgz"],
      message: "unexpected argument 'fonts'"),
  ]

  @Test(arguments: usageCases)
  func badFlagsAreUsageErrors(_ usageCase: UsageCase) {
    let result = runProgram(["data", "render"] + usageCase.arguments)
    #expect(result.status == 64)
    #expect(result.out.isEmpty)
    #expect(result.error == "error: \(usageCase.message)\nusage: \(DataRenderCommand.usage)\n")
  }

  @Test(arguments: [
    ("A-J", "ABCDEFGHIJ"), ("a-c", "ABC"), ("A,C,E", "ACE"), ("ACE", "ACE"), ("J, A", "JA"),
    ("B-D,H", "BCDH"),
  ])
  func lettersAcceptRangesAndLists(_ text: String, _ expected: String) throws {
    #expect(try DataRenderCommand.parseLetters(text) == Array(expected))
  }
}
