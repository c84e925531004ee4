import Datasets
import Foundation
import Pictures
import TestSupport
import Testing

@testable import NotMNISTCommands

@Suite struct DataGridCommandTests {
  /// A console that drops everything.
  static func quiet() -> Console { Console(isErrorTerminal: false, out: { _ in }, error: { _ in }) }

  @Test func writesTheSeededSampleAsADecodablePNG() throws {
    let data = try SyntheticData()
    let out = data.directory.file("pictures/grid.png").path
    let result = runProgram([
      "data", "grid", data.trainPath, "--count", "20", "--seed", "5", "--out", out,
    ])

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(result.out.isEmpty)
    let images = try DataLoading.load([data.trainPath], split: "data", console: Self.quiet())
    let expected = ReportPictures.sample(
      images, count: 20, seed: 5, title: "20 random images of train (seed 5)",
      font: try Font.standard())
    #expect(
      result.error.hasSuffix("picture written to \(out) (\(expected.width)x\(expected.height))\n"))
    let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
    #expect(written == (try expected.pngData()))
    // 20 images at 10 per row: 2 rows of 84 px tiles with labels, 10 columns of 96 px.
    #expect(expected.width == 12 + 10 * (84 + 12))
    #expect(
      PictureChecks.decode(files: [out])?.first.map { [$0.format, "\($0.width)", "\($0.height)"] }
        == ["PNG", "\(expected.width)", "\(expected.height)"])
    #expect((PictureChecks.decode(files: [out])?.first?.colours ?? 0) > 2)
  }

  @Test func emptyIDXSourceIsAnErrorWithoutARepeatedWord() throws {
    let directory = try TemporaryDirectory()
    let images = directory.file("empty-images-idx3-ubyte").path
    FixtureBuilders.write(FixtureBuilders.idxImages([], count: 0), to: images)
    FixtureBuilders.write(
      FixtureBuilders.idxLabels([]), to: directory.file("empty-labels-idx1-ubyte").path)

    let result = runProgram([
      "data", "grid", images, "--out", directory.file("grid.png").path,
    ])

    #expect(result.status != 0)
    #expect(result.error.contains("error: grid data has no readable images"))
    #expect(!result.error.contains("data data"))
  }

  @Test func theSameSeedDrawsTheSameImagesAndAnotherSeedOthers() throws {
    let data = try SyntheticData()
    func grid(seed: Int) throws -> [UInt8] {
      let out = data.directory.file("grid-\(seed)-\(UUID().uuidString).png").path
      let result = runProgram([
        "data", "grid", data.trainPath, "--count", "12", "--seed", String(seed), "--out", out,
      ])
      #expect(result.status == 0, "stderr: \(result.error)")
      return try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
    }

    let first = try grid(seed: 1)
    #expect(try grid(seed: 1) == first)
    #expect(try grid(seed: 2) != first)
  }

  @Test func countIsCappedAtTheImagesThereAre() throws {
    let data = try SyntheticData(imagesPerLetter: 1)
    let out = data.directory.file("grid.png").path
    let result = runProgram(["data", "grid", data.trainPath, "--count", "1000", "--out", out])

    #expect(result.status == 0, "stderr: \(result.error)")
    let facts = PictureChecks.decode(files: [out])?.first
    #expect(facts?.width == 12 + 10 * (84 + 12))
    #expect(FileManager.default.fileExists(atPath: out))
  }

  @Test func flaggedDrawsConflictsAndBlankImages() throws {
    let folder = try TemporaryDirectory()
    let shared = FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 3))
    FixtureBuilders.write(shared, to: folder.file("data/C/one.png").path)
    FixtureBuilders.write(shared, to: folder.file("data/G/other.png").path)
    FixtureBuilders.write(
      FixtureBuilders.grayPNG([UInt8](repeating: 255, count: 784)),
      to: folder.file("data/I/block.png").path)
    FixtureBuilders.write(
      FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 4)),
      to: folder.file("data/A/plain.png").path)
    let out = folder.file("flagged.png").path

    let result = runProgram(["data", "grid", folder.file("data").path, "--flagged", "--out", out])

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(
      result.error.hasPrefix(
        "1 pixel content under conflicting letters, 1 blank image in 4\npicture written to \(out) ("
      ))
    #expect(PictureChecks.decode(files: [out])?.first?.format == "PNG")
  }

  @Test func flaggedWithTheSmallestCountStillDrawsAConflict() throws {
    let folder = try TemporaryDirectory()
    let shared = FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 3))
    FixtureBuilders.write(shared, to: folder.file("data/C/one.png").path)
    FixtureBuilders.write(shared, to: folder.file("data/G/other.png").path)
    let out = folder.file("flagged.png").path

    let result = runProgram([
      "data", "grid", folder.file("data").path, "--flagged", "--count", "1", "--out", out,
    ])

    #expect(result.status == 0, "stderr: \(result.error)")
    // The picture is the conflict grid alone: its one group, C and G side by side.
    let images = try DataLoading.load(
      [folder.file("data").path], split: "data", console: Self.quiet())
    let grid = try #require(
      ReportPictures.conflicts(
        images, flagged: FlaggedImages(images), limit: 1, font: try Font.standard()))
    let facts = PictureChecks.decode(files: [out])?.first
    #expect(
      facts
        == PictureChecks.Facts(
          format: "PNG", width: grid.width, height: grid.height, colours: facts?.colours ?? 0))
    #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: out))) == (try grid.pngData()))
  }

  @Test func missingDataIsARuntimeFailure() throws {
    let folder = try TemporaryDirectory()
    let out = folder.file("grid.png").path
    let result = runProgram(["data", "grid", "/nonexistent/notMNIST.tar.gz", "--out", out])

    #expect(result.status == 1)
    #expect(result.error.hasPrefix("error: "))
    #expect(result.error.contains("/nonexistent/notMNIST.tar.gz"))
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}

// MARK: - Flags

extension DataGridCommandTests {
  static let usageCases: [UsageCase] = [
    UsageCase(
      id: "no path", arguments: ["--out", "a.png"], message: "give at least one data PATH"),
    UsageCase(
      id: "no out", arguments: ["x.tar.gz"],
      message: "give the picture to write with --out FILE.png"),
    UsageCase(
      id: "not png", arguments: ["x.tar.gz", "--out", "grid.jpg"],
      message: "--out must name a .png file, got 'grid.jpg'"),
    UsageCase(
      id: "zero count", arguments: ["x.tar.gz", "--out", "a.png", "--count", "0"],
      message: "--count must be an integer in 1...1000, got '0'"),
    UsageCase(
      id: "negative seed", arguments: ["x.tar.gz", "--out", "a.png", "--seed", "-1"],
      message: "--seed must be an integer in 0...9223372036854775807, got '-1'"),
    UsageCase(
      id: "seed with flagged",
      arguments: ["x.tar.gz", "--out", "a.png", "--flagged", "--seed", "1"],
      message: "--seed picks random images; it does not combine with --flagged"),
    UsageCase(
      id: "unknown flag", arguments: ["x.tar.gz", "--out", "a.png", "--columns", "4"],
      message: "unknown option '--columns'"),
  ]

  @Test(arguments: usageCases)
  func rejectsBadFlagsBeforeAnyWork(_ usage: UsageCase) {
    let result = runProgram(["data", "grid"] + usage.arguments)
    #expect(result.status == 64)
    #expect(result.out.isEmpty)
    #expect(
      result.error
        == "error: \(usage.message)\nusage: \(DataGridCommand.usage)\n")
  }

  @Test func helpListsTheFlags() {
    let result = runProgram(["data", "grid", "--help"])
    #expect(result.status == 0)
    #expect(result.out.hasPrefix("usage: notmnist data grid PATH... [--count N]"))
    for flag in ["--out FILE.png", "--count N", "--seed S", "--flagged"] {
      #expect(result.out.contains("  \(flag) "), "help lacks \(flag)")
    }
  }
}
