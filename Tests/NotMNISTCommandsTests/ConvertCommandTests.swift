import Foundation
import NeuralNet
import TensorCore
import TestSupport
import Testing
import Training

@testable import NotMNISTCommands

@Suite struct ConvertCommandTests {
  /// A `.safetensors` tiny model with seeded weights in a temporary directory.
  private func tinyModelFile(in directory: TemporaryDirectory) throws -> (Model, String) {
    var generator = SeededGenerator(seed: 11)
    let model = try Model(named: "tiny", generator: &generator)
    let path = directory.file("tiny.safetensors").path
    try ModelFile.write(model, to: URL(fileURLWithPath: path))
    return (model, path)
  }

  @Test func safetensorsToKerasAndBackKeepsEveryWeight() throws {
    let directory = try TemporaryDirectory()
    let (model, original) = try tinyModelFile(in: directory)
    let keras = directory.file("tiny.keras").path
    let back = directory.file("back.safetensors").path

    #expect(runProgram(["convert", original, keras]).status == 0)
    #expect(runProgram(["convert", keras, back]).status == 0)
    let restored = try ModelFile.read(from: URL(fileURLWithPath: back)).model
    #expect(restored.architecture == model.architecture)
    for (a, b) in zip(restored.parameters, model.parameters) {
      #expect(a.kerasValue == b.kerasValue, "\(a.name)")
    }
  }

  @Test func bareWeightsFileConvertsWithTheNamedArchitecture() throws {
    let directory = try TemporaryDirectory()
    let (model, original) = try tinyModelFile(in: directory)
    let weights = directory.file("tiny.weights.h5").path
    let back = directory.file("back.safetensors").path

    #expect(runProgram(["convert", original, weights]).status == 0)
    #expect(runProgram(["convert", weights, back, "--model", "tiny"]).status == 0)
    let restored = try ModelFile.read(from: URL(fileURLWithPath: back)).model
    for (a, b) in zip(restored.parameters, model.parameters) {
      #expect(a.kerasValue == b.kerasValue, "\(a.name)")
    }
  }

  @Test func predictGivesTheSameProbabilitiesFromKerasAndSafetensorsFiles() throws {
    let directory = try TemporaryDirectory()
    let (_, original) = try tinyModelFile(in: directory)
    let keras = directory.file("tiny.keras").path
    #expect(runProgram(["convert", original, keras]).status == 0)
    let image = directory.file("letter.png").path
    FixtureBuilders.write(
      FixtureBuilders.grayPNG((0..<784).map { UInt8(($0 * 37) % 256) }), to: image)

    let fromSafetensors = runProgram(["predict", "--model", original, image, "--json"])
    let fromKeras = runProgram(["predict", "--model", keras, image, "--json"])
    #expect(fromKeras.status == 0)
    #expect(fromKeras.out == fromSafetensors.out)
    #expect(fromKeras.out.contains("\"probability\": 0."))
  }

  @Test(arguments: [
    (["convert", "a.keras"], "give exactly two paths, IN and OUT, got 1"),
    (
      ["convert", "a.keras", "b.onnx"],
      "'b.onnx': expected a .keras, .weights.h5 or .safetensors file name"
    ),
    (
      ["convert", "a.weights.h5", "b.keras"],
      "reading a bare .weights.h5 file needs its architecture: --model NAME|FILE"
    ),
    (
      ["convert", "a.keras", "b.safetensors", "--model", "tiny"],
      "--model only applies when IN is a bare .weights.h5 file"
    ),
  ])
  func badArgumentsAreUsageErrors(_ arguments: [String], _ message: String) {
    let result = runProgram(arguments)
    #expect(result.status == 64)
    #expect(result.error.contains("error: \(message)"))
  }

  @Test func missingInputIsAFailureNamingIt() throws {
    let directory = try TemporaryDirectory()
    let missing = directory.file("missing.keras").path
    let result = runProgram(["convert", missing, directory.file("out.safetensors").path])
    #expect(result.status == 1)
    #expect(result.error.contains("\(missing): no such file"))
  }
}
