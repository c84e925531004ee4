import Foundation
import NeuralNet
import TensorCore
import Testing
import TestSupport

@testable import Training

@Suite struct ModelFileTests {
  /// Model-file metadata for an input of `size` and one convolution of the given arguments.
  static func metadata(
    input: [Int] = [28, 28, 1], filters: Int = 4, strides: [Int] = [1, 1]
  ) -> [String: String] {
    let architecture = Architecture(
      name: "m",
      layers: [
        LayerDescription(
          name: "in", kind: .input(height: input[0], width: input[1], channels: input[2]),
          inputs: []),
        LayerDescription(
          name: "conv2d",
          kind: .conv2D(
            filters: filters, kernelSize: [3, 3], strides: strides, padding: .same,
            useBias: true, kernelL2: 0),
          inputs: ["in"]),
        LayerDescription(name: "flatten", kind: .flatten, inputs: ["conv2d"]),
        LayerDescription(
          name: "dense", kind: .dense(units: 10, activation: .softmax, useBias: true, kernelL2: 0),
          inputs: ["flatten"]),
      ])
    return [
      "format": ModelFile.formatName, "architecture": ModelFile.architectureJSON(architecture),
    ]
  }

  struct Case: Sendable, CustomStringConvertible {
    let metadata: [String: String]
    let problem: String
    var description: String { problem }
  }

  static let absurd: [Case] = [
    Case(
      metadata: metadata(input: [1_000_000, 1_000_000, 1]),
      problem: "invalid architecture: in: input shape [1000000, 1000000, 1], expected each"
        + " dimension in 1...4096 and at most 16777216 values"),
    Case(
      metadata: metadata(strides: [0, 0]),
      problem: "invalid architecture: conv2d: strides [0, 0], expected two values in 1...64"),
    Case(
      metadata: metadata(filters: 100_000_000),
      problem: "invalid architecture: conv2d: filters 100000000, expected 1...65536"),
  ]

  @Test(arguments: absurd)
  func absurdArchitecturesAreRefusedBeforeBuilding(_ bad: Case) {
    #expect(throws: TrainingError.incompatibleFile(path: "m.safetensors", problem: bad.problem)) {
      try ModelFile.model(from: [], metadata: bad.metadata, path: "m.safetensors")
    }
  }
}

extension ModelFileTests {
  @Test(arguments: [Float.nan, .infinity, -.infinity])
  func tensorsHoldingNonFiniteValuesAreRefused(_ value: Float) throws {
    let model = try Model(architecture: ModelBuilder.tiny())
    var (tensors, metadata) = ModelFile.contents(of: model)
    let index = try #require(tensors.firstIndex { $0.name.hasSuffix("/kernel") })
    tensors[index].tensor.scalars[1] = value
    let name = tensors[index].name
    #expect(
      throws: TrainingError.incompatibleFile(
        path: "m.safetensors", problem: "tensor '\(name)' holds non-finite values")
    ) {
      try ModelFile.model(from: tensors, metadata: metadata, path: "m.safetensors")
    }
  }

  @Test func finiteTensorsRebuildTheSameWeights() throws {
    let model = try Model(architecture: ModelBuilder.tiny())
    let (tensors, metadata) = ModelFile.contents(of: model)
    let rebuilt = try ModelFile.model(from: tensors, metadata: metadata, path: "m.safetensors")
    #expect(rebuilt.parameters.map(\.kerasValue) == model.parameters.map(\.kerasValue))
  }
}

extension ModelFileTests {
  @Test func fifoIsRefusedWithoutBlocking() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("model.safetensors")
    try #require(mkfifo(url.path, 0o600) == 0)
    #expect(
      throws: TrainingError.io(path: url.path, operation: "open", reason: "not a regular file")
    ) {
      try ModelFile.read(from: url)
    }
  }

  @Test func characterDeviceIsRefused() {
    #expect(
      throws: TrainingError.io(path: "/dev/zero", operation: "open", reason: "not a regular file")
    ) {
      try Safetensors.read(from: URL(fileURLWithPath: "/dev/zero"))
    }
  }
}
