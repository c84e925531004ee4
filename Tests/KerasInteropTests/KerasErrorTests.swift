import Foundation
import NeuralNet
import TensorCore
import TestSupport
import Testing

@testable import KerasInterop

@Suite struct KerasErrorTests {
  /// One edit to the tiny model's `config.json` and the error it must give.
  struct Case: CustomTestStringConvertible, Sendable {
    var id: String
    var layer: String
    var key: String
    var value: @Sendable () -> Any
    var className: String
    var problem: String
    var testDescription: String { id }
  }

  static let unsupportedArguments: [Case] = [
    Case(
      id: "dilation", layer: "conv2d", key: "dilation_rate", value: { [2, 2] },
      className: "Conv2D", problem: "dilation_rate [2, 2] is not supported; only [1, 1]"),
    Case(
      id: "groups", layer: "conv2d_1", key: "groups", value: { 2 }, className: "Conv2D",
      problem: "groups 2 is not supported; only 1"),
    Case(
      id: "channels first", layer: "conv2d", key: "data_format", value: { "channels_first" },
      className: "Conv2D", problem: "data_format 'channels_first'; only 'channels_last'"),
    Case(
      id: "convolution activation", layer: "conv2d", key: "activation", value: { "relu" },
      className: "Conv2D",
      problem:
        "activation 'relu' on a convolution; only 'linear' (add an Activation layer after it)"),
    Case(
      id: "L1 regularizer", layer: "dense", key: "kernel_regularizer",
      value: { ["class_name": "L1", "config": ["l1": 0.01]] }, className: "Dense",
      problem: "kernel_regularizer L1(l1=0.01); only L2"),
    Case(
      id: "activation we lack", layer: "dense", key: "activation", value: { "tanh" },
      className: "Dense", problem: "activation 'tanh'; only 'linear', 'relu' and 'softmax'"),
    Case(
      id: "batch norm axis", layer: "batch_normalization", key: "axis", value: { 1 },
      className: "BatchNormalization", problem: "axis 1; only -1 (channels)"),
    Case(
      id: "batch norm without center", layer: "batch_normalization_1", key: "center",
      value: { false }, className: "BatchNormalization",
      problem: "center and scale must both be true"),
    Case(
      id: "frozen layer", layer: "dense_1", key: "trainable", value: { false },
      className: "Dense", problem: "trainable=False (frozen layers) is not supported"),
    Case(
      id: "mixed precision", layer: "dense_1", key: "dtype", value: { "mixed_float16" },
      className: "Dense", problem: "dtype policy 'mixed_float16'; only 'float32'"),
    Case(
      id: "causal padding", layer: "max_pooling2d", key: "padding", value: { "causal" },
      className: "MaxPooling2D", problem: "padding 'causal'; only 'same' and 'valid'"),
    Case(
      id: "huge input", layer: "input_layer", key: "batch_shape",
      value: { [NSNull(), 100_000, 100_000, 1] }, className: "InputLayer",
      problem: "batch_shape [None, 100000, 100000, 1]: each size must be at most 4096 and"
        + " height*width*channels at most 16777216"),
    Case(
      id: "input with too many scalars", layer: "input_layer", key: "batch_shape",
      value: { [NSNull(), 4096, 4096, 2] }, className: "InputLayer",
      problem: "batch_shape [None, 4096, 4096, 2]: each size must be at most 4096 and"
        + " height*width*channels at most 16777216"),
    Case(
      id: "negative units", layer: "dense", key: "units", value: { -1 }, className: "Dense",
      problem: "argument 'units' is -1, expected 1...65536"),
    Case(
      id: "too many units", layer: "dense", key: "units", value: { 65537 },
      className: "Dense", problem: "argument 'units' is 65537, expected 1...65536"),
    Case(
      id: "zero filters", layer: "conv2d", key: "filters", value: { 0 }, className: "Conv2D",
      problem: "argument 'filters' is 0, expected 1...65536"),
    Case(
      id: "huge kernel", layer: "conv2d", key: "kernel_size", value: { [65, 3] },
      className: "Conv2D",
      problem: "argument 'kernel_size' is [65, 3], expected values in 1...64"),
    Case(
      id: "negative epsilon", layer: "batch_normalization", key: "epsilon", value: { -1.0 },
      className: "BatchNormalization",
      problem: "argument 'epsilon' is -1, expected greater than 0"),
    Case(
      id: "momentum above one", layer: "batch_normalization", key: "momentum", value: { 5.0 },
      className: "BatchNormalization", problem: "argument 'momentum' is 5, expected in [0, 1]"),
    Case(
      id: "huge stride", layer: "conv2d", key: "strides", value: { [Int.max, 1] },
      className: "Conv2D",
      problem: "argument 'strides' is [\(Int.max), 1], expected values in 1...64"),
  ]

  @Test(arguments: unsupportedArguments)
  func unsupportedArgumentIsAnErrorNamingTheLayer(_ example: Case) throws {
    let directory = try TemporaryDirectory()
    let url = try KerasFixtures.editedTinyModel(in: directory) { config in
      KerasFixtures.setArgument(example.key, to: example.value(), layer: example.layer, in: &config)
    }
    #expect(
      throws: KerasError.unsupported(
        layer: example.layer, className: example.className, problem: example.problem)
    ) {
      try KerasModelFile.read(from: url)
    }
  }

  @Test(arguments: [(2.0, "2"), (1.0, "1"), (-0.5, "-0.5")])
  func dropoutRateOutsideZeroToOneIsRefused(_ rate: Double, _ shown: String) {
    #expect(
      throws: KerasError.unsupported(
        layer: "dropout", className: "Dropout",
        problem: "argument 'rate' is \(shown), expected in [0, 1)")
    ) {
      try LayerTranslation.kind("Dropout", "dropout", ["rate": rate])
    }
  }

  @Test func dropoutRateInsideZeroToOneIsAccepted() throws {
    #expect(try LayerTranslation.kind("Dropout", "dropout", ["rate": 0.25]) == .dropout(rate: 0.25))
  }

  @Test func elementCountThatOverflowsIsAnError() throws {
    #expect(
      throws: KerasError.weights(
        path: "w.h5", object: "layers/dense/vars/0",
        problem: "shape [\(Int.max), 2] has too many elements")
    ) {
      try HDF5File.elementCount([Int.max, 2], path: "w.h5", object: "layers/dense/vars/0")
    }
    #expect(try HDF5File.elementCount([3, 3, 1, 8], path: "w.h5", object: "k") == 72)
  }

  static func bigInput(_ last: LayerKind) -> [LayerDescription] {
    [
      LayerDescription(
        name: "in", kind: .input(height: 4096, width: 4096, channels: 1), inputs: []),
      LayerDescription(name: "flat", kind: .flatten, inputs: ["in"]),
      LayerDescription(name: "big", kind: last, inputs: ["flat"]),
    ]
  }

  @Test func layerWithTooManyParametersIsRefusedBeforeBuilding() {
    let layers = Self.bigInput(
      .dense(units: 65536, activation: .linear, useBias: true, kernelL2: 0))
    #expect(
      throws: KerasError.unsupported(
        layer: "big", className: "Dense",
        problem: "1099511693312 parameters, at most 268435456")
    ) {
      try KerasConfigReader.validate(layers)
    }
  }

  @Test func layerWithTooManyOutputsPerImageIsRefusedBeforeBuilding() {
    let conv = LayerKind.conv2D(
      filters: 65536, kernelSize: [3, 3], strides: [1, 1], padding: .same, useBias: true,
      kernelL2: 0)
    let layers = [
      LayerDescription(
        name: "in", kind: .input(height: 4096, width: 4096, channels: 1), inputs: []),
      LayerDescription(name: "conv", kind: conv, inputs: ["in"]),
    ]
    #expect(
      throws: KerasError.unsupported(
        layer: "conv", className: "Conv2D",
        problem: "1099511627776 output values per image, at most 268435456")
    ) {
      try KerasConfigReader.validate(layers)
    }
  }

  @Test func layersWithinTheBoundsPass() throws {
    try KerasConfigReader.validate(
      Self.bigInput(.dense(units: 10, activation: .linear, useBias: true, kernelL2: 0)))
  }

  @Test func unknownLayerTypeIsNamed() throws {
    let directory = try TemporaryDirectory()
    let url = try KerasFixtures.editedTinyModel(in: directory) { config in
      KerasFixtures.setClass("LSTM", layer: "flatten", in: &config)
    }
    #expect(throws: KerasError.self) { try KerasModelFile.read(from: url) }
    do {
      _ = try KerasModelFile.read(from: url)
    } catch {
      #expect(error.description.hasPrefix("layer 'flatten' (LSTM): layer type not supported"))
    }
  }

  @Test func weightsOfTheWrongShapeAreNamed() throws {
    let directory = try TemporaryDirectory()
    let url = try KerasFixtures.editedTinyModel(in: directory) { config in
      KerasFixtures.setArgument("units", to: 7, layer: "dense", in: &config)
    }
    #expect(
      throws: KerasError.weights(
        path: url.path, object: "layers/dense/vars/0",
        problem: "shape [80, 6], expected [80, 7] for 'dense/kernel'")
    ) {
      try KerasModelFile.read(from: url)
    }
  }

  @Test func fileThatIsNotAZipArchiveIsRefused() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("model.keras")
    FixtureBuilders.write(Array("not a zip archive".utf8), to: url.path)
    #expect(throws: KerasError.self) { try KerasModelFile.read(from: url) }
  }

  @Test func archiveWithoutConfigIsRefused() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("model.keras")
    let bytes = try ZipArchive.archive([("metadata.json", Array("{}".utf8))], path: url.path)
    FixtureBuilders.write(bytes, to: url.path)
    #expect(
      throws: KerasError.archive(
        path: url.path, problem: "no config.json entry: not a Keras 3 .keras file")
    ) {
      try KerasModelFile.read(from: url)
    }
  }

  @Test func weightsFileOfAnotherModelIsRefused() throws {
    let directory = try TemporaryDirectory()
    let tiny = try KerasModelFile.read(from: KerasFixtures.tinyModel)
    let url = directory.file("tiny.weights.h5")
    try KerasModelFile.writeWeights(of: tiny, to: url)
    var generator = SeededGenerator(seed: 0)
    let other = try Model(named: "tiny", generator: &generator)
    #expect(
      throws: KerasError.weights(
        path: url.path, object: "layers/conv2d/vars/0",
        problem: "shape [3, 3, 1, 3], expected [3, 3, 1, 8] for 'conv2d/kernel'")
    ) {
      try KerasModelFile.loadWeights(from: url, into: other)
    }
  }

  @Test func messagesNameTheFileAndTheProblem() {
    #expect(
      KerasError.unsupported(layer: "conv2d", className: "Conv2D", problem: "groups 2").description
        == "layer 'conv2d' (Conv2D): groups 2")
    #expect(
      KerasError.weights(path: "m.keras", object: "layers/dense/vars", problem: "holds 1 arrays")
        .description == "m.keras: 'layers/dense/vars': holds 1 arrays")
    #expect(
      KerasError.hdf5(path: "w.h5", object: "/", operation: "open").description
        == "w.h5: HDF5 open failed for '/'")
  }

  @Test(arguments: [
    ("Conv2D", "conv2d"), ("MaxPooling2D", "max_pooling2d"), ("ReLU", "re_lu"),
    ("BatchNormalization", "batch_normalization"), ("InputLayer", "input_layer"),
  ])
  func weightGroupNamesFollowKerasSnakeCase(_ className: String, _ expected: String) {
    #expect(KerasConfigReader.snakeCase(className) == expected)
  }
}
