import Testing

@testable import NeuralNet

@Suite struct ArchitectureValidationTests {
  struct Case: Sendable, CustomStringConvertible {
    let kind: LayerKind
    let reason: String
    var description: String { reason }
  }

  /// A 28x28x1 input followed by `kind` named `bad` (and a flatten when `kind` keeps a spatial
  /// shape, so the architecture stays plausible).
  static func architecture(_ kind: LayerKind) -> Architecture {
    Architecture(
      name: "m",
      layers: [
        LayerDescription(
          name: "in", kind: .input(height: 28, width: 28, channels: 1), inputs: []),
        LayerDescription(name: "bad", kind: kind, inputs: ["in"]),
      ])
  }

  static func conv(
    filters: Int = 8, kernel: [Int] = [3, 3], strides: [Int] = [1, 1]
  ) -> LayerKind {
    .conv2D(
      filters: filters, kernelSize: kernel, strides: strides, padding: .same, useBias: true,
      kernelL2: 0)
  }

  static let badArguments: [Case] = [
    Case(kind: conv(strides: [0, 0]), reason: "strides [0, 0], expected two values in 1...64"),
    Case(
      kind: conv(kernel: [65, 3]), reason: "kernel size [65, 3], expected two values in 1...64"),
    Case(kind: conv(kernel: [3]), reason: "kernel size [3], expected two values in 1...64"),
    Case(kind: conv(filters: 100_000_000), reason: "filters 100000000, expected 1...65536"),
    Case(kind: conv(filters: 0), reason: "filters 0, expected 1...65536"),
    Case(
      kind: .maxPooling2D(poolSize: [2, 2], strides: [-1, 2], padding: .valid),
      reason: "strides [-1, 2], expected two values in 1...64"),
    Case(
      kind: .maxPooling2D(poolSize: [0, 2], strides: [2, 2], padding: .valid),
      reason: "pool size [0, 2], expected two values in 1...64"),
    Case(
      kind: .dense(units: 70000, activation: .linear, useBias: true, kernelL2: 0),
      reason: "units 70000, expected 1...65536"),
    Case(kind: .dropout(rate: 1), reason: "dropout rate 1.0, expected a value in [0, 1)"),
    Case(kind: .dropout(rate: -0.5), reason: "dropout rate -0.5, expected a value in [0, 1)"),
    Case(
      kind: .batchNormalization(momentum: 0.99, epsilon: 0),
      reason: "epsilon 0.0, expected a finite value greater than 0"),
    Case(
      kind: .batchNormalization(momentum: 1.5, epsilon: 1e-3),
      reason: "momentum 1.5, expected a value in [0, 1]"),
    Case(
      kind: .batchNormalization(momentum: .nan, epsilon: 1e-3),
      reason: "momentum nan, expected a value in [0, 1]"),
  ]

  @Test(arguments: badArguments)
  func badLayerArgumentsAreRefusedNamingTheLayer(_ bad: Case) {
    #expect(throws: NeuralNetError.invalidArchitecture(layer: "bad", reason: bad.reason)) {
      try Self.architecture(bad.kind).validate()
    }
  }

  @Test(arguments: [
    [1_000_000, 1_000_000, 1], [0, 28, 1], [28, 28, 4097], [4096, 4096, 2],
  ])
  func absurdInputSizesAreRefused(_ sizes: [Int]) {
    let architecture = Architecture(
      name: "m",
      layers: [
        LayerDescription(
          name: "in", kind: .input(height: sizes[0], width: sizes[1], channels: sizes[2]),
          inputs: [])
      ])
    #expect(
      throws: NeuralNetError.invalidArchitecture(
        layer: "in",
        reason: "input shape \(sizes), expected each dimension in 1...4096"
          + " and at most 16777216 values")
    ) {
      try architecture.validate()
    }
  }

  @Test func layerWithTooManyParametersIsRefused() {
    let architecture = Architecture(
      name: "m",
      layers: [
        LayerDescription(
          name: "in", kind: .input(height: 4096, width: 4096, channels: 1), inputs: []),
        LayerDescription(name: "flat", kind: .flatten, inputs: ["in"]),
        LayerDescription(
          name: "big", kind: .dense(units: 65536, activation: .linear, useBias: true, kernelL2: 0),
          inputs: ["flat"]),
      ])
    #expect(
      throws: NeuralNetError.invalidArchitecture(
        layer: "big", reason: "1099511693312 parameters, at most 268435456")
    ) {
      try architecture.validate()
    }
  }

  @Test func layerWithTooManyOutputsPerImageIsRefused() {
    let architecture = Architecture(
      name: "m",
      layers: [
        LayerDescription(
          name: "in", kind: .input(height: 4096, width: 4096, channels: 1), inputs: []),
        LayerDescription(name: "conv", kind: Self.conv(filters: 65536), inputs: ["in"]),
      ])
    #expect(
      throws: NeuralNetError.invalidArchitecture(
        layer: "conv", reason: "1099511627776 output values per image, at most 268435456")
    ) {
      try architecture.validate()
    }
  }

  @Test(arguments: ModelBuilder.names)
  func builtInModelsPass(_ name: String) throws {
    try ModelBuilder.architecture(named: name).validate()
  }
}

extension ArchitectureValidationTests {
  @Test func modelRefusesAnInvalidArchitectureBeforeAllocating() {
    let architecture = Architecture(
      name: "m",
      layers: [
        LayerDescription(
          name: "in", kind: .input(height: 1_000_000, width: 1_000_000, channels: 1),
          inputs: [])
      ])
    #expect(
      throws: NeuralNetError.invalidArchitecture(
        layer: "in",
        reason: "input shape [1000000, 1000000, 1], expected each dimension in 1...4096"
          + " and at most 16777216 values")
    ) {
      try Model(architecture: architecture)
    }
  }
}
