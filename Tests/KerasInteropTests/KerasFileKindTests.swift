import Foundation
import Testing
import TestSupport

@testable import KerasInterop
@testable import NeuralNet

@Suite struct KerasFileKindTests {
  /// A FIFO named `name` in `directory`; reading it would block until a writer came.
  static func fifo(_ name: String, in directory: TemporaryDirectory) throws -> URL {
    let url = directory.file(name)
    try #require(mkfifo(url.path, 0o600) == 0)
    return url
  }

  @Test(arguments: ["model.keras", "model.weights.h5"])
  func fifosAreRefusedWithoutBlocking(_ name: String) throws {
    let directory = try TemporaryDirectory()
    let url = try Self.fifo(name, in: directory)
    let model = try Model(architecture: ModelBuilder.tiny())
    #expect(throws: KerasError.invalidFile(path: url.path, problem: "not a regular file")) {
      if name.hasSuffix(".keras") {
        _ = try KerasModelFile.read(from: url)
      } else {
        try KerasModelFile.loadWeights(from: url, into: model)
      }
    }
  }

  @Test func characterDevicesAreRefused() throws {
    let url = URL(fileURLWithPath: "/dev/zero")
    let model = try Model(architecture: ModelBuilder.tiny())
    #expect(throws: KerasError.invalidFile(path: url.path, problem: "not a regular file")) {
      _ = try KerasModelFile.read(from: url)
    }
    #expect(throws: KerasError.invalidFile(path: url.path, problem: "not a regular file")) {
      try KerasModelFile.loadWeights(from: url, into: model)
    }
  }

  @Test func brokenWeightsEntryIsNamedWithTheKerasFile() throws {
    let directory = try TemporaryDirectory()
    var entries = try ZipArchive.entries(ofFileAt: KerasFixtures.tinyModel.path)
    entries["model.weights.h5"] = Array("not HDF5 at all".utf8)
    let url = directory.file("broken.keras")
    let bytes = try ZipArchive.archive(
      entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, path: url.path)
    FixtureBuilders.write(bytes, to: url.path)
    #expect(
      throws: KerasError.invalidFile(
        path: url.path, problem: "model.weights.h5 is not a valid HDF5 file")
    ) {
      _ = try KerasModelFile.read(from: url)
    }
  }

  @Test func brokenBareWeightsFileIsNamed() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("broken.weights.h5")
    FixtureBuilders.write(Array("not HDF5 at all".utf8), to: url.path)
    let model = try Model(architecture: ModelBuilder.tiny())
    #expect(throws: KerasError.invalidFile(path: url.path, problem: "not a valid HDF5 file")) {
      try KerasModelFile.loadWeights(from: url, into: model)
    }
    #expect(
      KerasError.invalidFile(path: url.path, problem: "not a valid HDF5 file").description
        == "\(url.path): not a valid HDF5 file")
  }
}
