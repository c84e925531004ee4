import Foundation
import TensorCore
import Testing

@testable import Optimizers

@Suite struct OptimizerStateTests {
  /// A [2, 3] parameter stored out of Keras order in 8 elements, the last two padding, as a
  /// blocked engine layout would store it.
  static func makeBlockedParameter(_ name: String, values: [Float]) -> Parameter {
    let parameter = Parameter(name: name, shape: [2, 3], storageCount: 8)
    parameter.storageOffsets = [5, 0, 3, 1, 4, 2]
    parameter.setKerasValue(Tensor(shape: [2, 3], scalars: values))
    return parameter
  }

  /// A small model's worth of parameters: one blocked, one plain, one non-trainable.
  static func makeParameters() -> [Parameter] {
    [
      makeBlockedParameter("conv2d/kernel", values: [0.5, -0.25, 1, 2, -1, 0.125]),
      makeParameter("dense/bias", [0.1, -0.2]),
      makeParameter("batch_normalization/moving_mean", [3], isTrainable: false),
    ]
  }

  /// Deterministic gradients for step `step`, written in Keras order.
  static func setGradients(_ parameters: [Parameter], step: Int) {
    for (index, parameter) in parameters.enumerated() {
      let values = (0..<parameter.count).map { i in
        Float(sin(Double(step * 7 + index * 3 + i))) * 0.5
      }
      setGradient(parameter, values)
    }
  }

  /// The raw storage of a parameter's value, padding included.
  static func storage(_ parameter: Parameter) -> [Float] {
    Array(UnsafeBufferPointer(start: parameter.value, count: parameter.storageCount))
  }

  static let configurations: [OptimizerConfiguration] = [
    .rmsprop(.init()),
    .rmsprop(.init(learningRate: 0.01, momentum: 0.9, isCentered: true)),
    .sgd(.init(momentum: 0.9, isNesterov: true)),
    .adam(.init(isAMSGrad: true)),
    .adam(
      .init(learningRate: .cosineDecay(initialLearningRate: 0.01, decaySteps: 5, alpha: 0.1))),
  ]

  @Test(arguments: configurations)
  func restoredRunContinuesBitForBit(_ configuration: OptimizerConfiguration) throws {
    let original = Self.makeParameters()
    let optimizer = configuration.makeOptimizer()
    for step in 0..<3 {
      Self.setGradients(original, step: step)
      optimizer.update(original)
    }

    // Save through JSON, then rebuild everything from the saved values alone.
    let data = try JSONEncoder().encode(optimizer.state())
    let saved = try JSONDecoder().decode(OptimizerState.self, from: data)
    let copies = Self.makeParameters()
    for (copy, source) in zip(copies, original) { copy.setKerasValue(source.kerasValue) }
    let resumed = saved.configuration.makeOptimizer()
    try resumed.restore(saved, parameters: copies)
    #expect(resumed.state() == optimizer.state())

    for step in 3..<6 {
      Self.setGradients(original, step: step)
      Self.setGradients(copies, step: step)
      optimizer.update(original)
      resumed.update(copies)
    }
    for (copy, source) in zip(copies, original) {
      #expect(Self.storage(copy) == Self.storage(source), "\(source.name)")
    }
    #expect(resumed.iterations == 6)
    #expect(resumed.state() == optimizer.state())
  }

  @Test func updatesKeepPaddingAtZero() {
    let parameters = Self.makeParameters()
    let optimizer = RMSprop(learningRate: 0.1, momentum: 0.5)
    for step in 0..<3 {
      Self.setGradients(parameters, step: step)
      optimizer.update(parameters)
    }

    #expect(Self.storage(parameters[0])[6...] == [0, 0])
  }

  @Test func slotsExportInKerasLayoutUnderCheckpointKeys() {
    let parameters = Self.makeParameters()
    setGradient(parameters[0], [1, 2, 3, 4, 5, 6])
    setGradient(parameters[1], [1, 1])
    let optimizer = SGD(learningRate: 1, momentum: 0.5)

    optimizer.update(parameters)

    let state = optimizer.state()
    #expect(state.iterations == 1)
    #expect(state.namedTensors.map(\.name) == ["conv2d/kernel/momentum", "dense/bias/momentum"])
    #expect(state.slots[0].value == Tensor(shape: [2, 3], scalars: [-1, -2, -3, -4, -5, -6]))
  }

  @Test func namedTensorsRoundTrip() throws {
    let parameters = Self.makeParameters()
    Self.setGradients(parameters, step: 1)
    let optimizer = Adam()
    optimizer.update(parameters)
    let state = optimizer.state()

    let rebuilt = try OptimizerState(
      configuration: state.configuration, iterations: state.iterations,
      namedTensors: state.namedTensors)

    #expect(rebuilt == state)
    #expect(
      state.namedTensors.map(\.name) == [
        "conv2d/kernel/momentum", "conv2d/kernel/velocity", "dense/bias/momentum",
        "dense/bias/velocity",
      ])
  }

  @Test func stateAtIterationZeroRestoresWithoutSlots() throws {
    let fresh = RMSprop()
    let parameters = Self.makeParameters()

    try fresh.restore(fresh.state(), parameters: parameters)

    #expect(fresh.state().slots.count == 2)
    #expect(fresh.state().slots.allSatisfy { $0.value.scalars.allSatisfy { $0 == 0 } })
  }

  @Test func configurationDecodesAPartialKerasConfigWithDefaults() throws {
    let json = Data(
      #"{"class_name":"Adam","config":{"learning_rate":0.01,"amsgrad":true}}"#.utf8)

    let configuration = try JSONDecoder().decode(OptimizerConfiguration.self, from: json)

    #expect(configuration == .adam(.init(learningRate: 0.01, isAMSGrad: true)))
  }

  @Test(arguments: [
    #"{"class_name":"RMSprop","config":{"rho":1.5}}"#,
    #"{"class_name":"SGD","config":{"momentum":-0.1}}"#,
    #"{"class_name":"Adam","config":{"learning_rate":-1}}"#,
    #"{"class_name":"Adam","config":{"learning_rate":{"class_name":"CosineDecay","#
      + #""config":{"initial_learning_rate":0.1,"decay_steps":0}}}}"#,
    #"{"class_name":"Adagrad","config":{}}"#,
  ])
  func configurationDecodingRejectsValuesKerasWouldReject(_ json: String) {
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(OptimizerConfiguration.self, from: Data(json.utf8))
    }
  }

  @Test func configurationEncodesLikeKeras() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = String(
      decoding: try encoder.encode(OptimizerConfiguration.rmsprop(.init())), as: UTF8.self)

    #expect(
      json == #"{"class_name":"RMSprop","config":{"centered":false,"epsilon":1e-07,"#
        + #""learning_rate":0.001,"momentum":0,"rho":0.9}}"#)
    #expect(
      OptimizerConfiguration.rmsprop(.init()).description
        == "RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=false)")
  }
}

// MARK: - Errors

extension OptimizerStateTests {
  /// RMSprop state after one update of the standard parameters.
  static func savedRMSpropState() -> OptimizerState {
    let parameters = makeParameters()
    setGradients(parameters, step: 0)
    let optimizer = RMSprop()
    optimizer.update(parameters)
    return optimizer.state()
  }

  struct BadStateCase: Sendable, CustomTestStringConvertible {
    let name: String
    let edit: @Sendable (inout OptimizerState) -> Void
    let error: OptimizerError
    var testDescription: String { name }
  }

  @Test(arguments: [
    BadStateCase(
      name: "other optimizer", edit: { $0.configuration = .adam(.init()) },
      error: .optimizerMismatch(expected: "RMSprop", found: "Adam")),
    BadStateCase(
      name: "negative iterations", edit: { $0.iterations = -1 }, error: .invalidIterations(-1)),
    BadStateCase(
      name: "missing slot", edit: { $0.slots.removeLast() },
      error: .missingSlot(parameter: "dense/bias", slot: "velocity")),
    BadStateCase(
      name: "duplicate slot", edit: { $0.slots.append($0.slots[0]) },
      error: .duplicateSlot(parameter: "conv2d/kernel", slot: "velocity")),
    BadStateCase(
      name: "slot of unknown parameter",
      edit: {
        $0.slots.append(
          OptimizerSlot(
            parameterName: "dense_9/kernel", slotName: "velocity",
            value: Tensor(
              shape: [1], scalars: [0])))
      },
      error: .unexpectedSlot(parameter: "dense_9/kernel", slot: "velocity")),
    BadStateCase(
      name: "slot this optimizer does not keep",
      edit: {
        $0.slots.append(
          OptimizerSlot(
            parameterName: "dense/bias", slotName: "momentum",
            value: Tensor(
              shape: [2], scalars: [0, 0])))
      },
      error: .unexpectedSlot(parameter: "dense/bias", slot: "momentum")),
    BadStateCase(
      name: "wrong shape",
      edit: { $0.slots[0].value = Tensor(shape: [3, 2], repeating: 0) },
      error: .slotShapeMismatch(
        parameter: "conv2d/kernel", slot: "velocity", expected: [2, 3], found: [3, 2])),
  ])
  func rejectsBadStateAndKeepsItsOwn(_ c: BadStateCase) {
    var state = Self.savedRMSpropState()
    c.edit(&state)
    let parameters = Self.makeParameters()
    let optimizer = RMSprop()
    Self.setGradients(parameters, step: 0)
    optimizer.update(parameters)
    let before = optimizer.state()

    #expect(throws: c.error) { try optimizer.restore(state, parameters: parameters) }
    #expect(optimizer.state() == before)
  }

  @Test func rejectsASlotKeyWithoutASlotName() {
    #expect(throws: OptimizerError.invalidSlotKey("kernel")) {
      try OptimizerState(
        configuration: .sgd(.init()), iterations: 0,
        namedTensors: [("kernel", Tensor(shape: [1], scalars: [0]))])
    }
  }

  @Test func errorMessagesNameTheSlotAndWhatWasExpected() {
    let shape = OptimizerError.slotShapeMismatch(
      parameter: "conv2d/kernel", slot: "velocity", expected: [3, 3, 1, 32], found: [3, 3, 1, 16])
    let kind = OptimizerError.optimizerMismatch(expected: "RMSprop", found: "Adam")

    #expect(
      shape.description == #"optimizer state: slot "conv2d/kernel/velocity" has shape "#
        + "[3, 3, 1, 16], expected [3, 3, 1, 32]")
    #expect(kind.description == "optimizer state: saved by Adam, expected RMSprop")
  }
}
