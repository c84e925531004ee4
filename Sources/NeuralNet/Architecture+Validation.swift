extension Architecture {
  /// The largest input height, width or channel count accepted.
  public static let maxInputDimension = 4096
  /// The largest number of scalars in one input image (`H · W · C`): 2^24.
  public static let maxInputScalars = 1 << 24
  /// The accepted range of each kernel size, pool size and stride.
  public static let windowRange: ClosedRange<Int> = 1...64
  /// The accepted range of Conv2D `filters` and Dense `units`.
  public static let widthRange: ClosedRange<Int> = 1...65536
  /// The most parameters, and the most output values per image, of one layer: 2^28 (1 GiB of
  /// `float32`).
  public static let maxLayerScalars = 1 << 28

  /// Checks every layer argument and bounds the memory each layer asks for, before any layer
  /// is built.
  ///
  /// Each argument is checked on its own (input dimensions in `1...4096` with
  /// `H · W · C <= 2^24`; kernel, pool and stride in `1...64`, two of each; filters and units in
  /// `1...65536`; dropout rate in `[0, 1)`; batch-norm epsilon `> 0` and momentum in `[0, 1]`).
  /// Their products are then bounded: walking the layers in order, each layer's per-image output
  /// shape (`[H, W, C]` or `[F]`) is inferred and a layer with more than ``maxLayerScalars``
  /// parameters or output values per image is refused (counts are overflow-checked). Shapes that
  /// do not fit together are left to the model builder, which names the problem.
  /// - Throws: ``NeuralNetError/invalidArchitecture(layer:reason:)`` naming the first layer at
  ///   fault and what was expected and found.
  public func validate() throws(NeuralNetError) {
    var shapes: [String: [Int]] = [:]
    for layer in layers {
      try Self.checkArguments(of: layer)
      let inputs = layer.inputs.compactMap { shapes[$0] }
      guard inputs.count == layer.inputs.count else { continue }
      guard let (shape, parameters) = Self.outputShape(of: layer.kind, inputs: inputs),
        shape.allSatisfy({ $0 > 0 })
      else { continue }
      let outputs = Self.product(shape)
      for (what, count) in [("parameters", parameters), ("output values per image", outputs)]
      where count > Self.maxLayerScalars {
        throw .invalidArchitecture(
          layer: layer.name,
          reason: "\(count == Int.max ? "more than Int.max" : "\(count)") \(what),"
            + " at most \(Self.maxLayerScalars)")
      }
      shapes[layer.name] = shape
    }
  }

  /// Checks the arguments of one layer, each on its own.
  private static func checkArguments(of layer: LayerDescription) throws(NeuralNetError) {
    func fail(_ reason: String) -> NeuralNetError {
      .invalidArchitecture(layer: layer.name, reason: reason)
    }
    func checkWindow(_ name: String, _ values: [Int]) throws(NeuralNetError) {
      guard values.count == 2, values.allSatisfy({ windowRange.contains($0) }) else {
        throw fail(
          "\(name) \(values), expected two values in \(windowRange.lowerBound)"
            + "...\(windowRange.upperBound)")
      }
    }
    switch layer.kind {
    case .input(let height, let width, let channels):
      let sizes = [height, width, channels]
      guard sizes.allSatisfy({ (1...maxInputDimension).contains($0) }),
        product(sizes) <= maxInputScalars
      else {
        throw fail(
          "input shape \(sizes), expected each dimension in 1...\(maxInputDimension)"
            + " and at most \(maxInputScalars) values")
      }
    case .conv2D(let filters, let kernelSize, let strides, _, _, let kernelL2):
      guard widthRange.contains(filters) else {
        throw fail("filters \(filters), expected 1...\(widthRange.upperBound)")
      }
      try checkWindow("kernel size", kernelSize)
      try checkWindow("strides", strides)
      guard kernelL2.isFinite, kernelL2 >= 0 else {
        throw fail("kernel L2 factor \(kernelL2), expected a finite value >= 0")
      }
    case .batchNormalization(let momentum, let epsilon):
      guard (0...1).contains(momentum) else {
        throw fail("momentum \(momentum), expected a value in [0, 1]")
      }
      guard epsilon.isFinite, epsilon > 0 else {
        throw fail("epsilon \(epsilon), expected a finite value greater than 0")
      }
    case .maxPooling2D(let poolSize, let strides, _):
      try checkWindow("pool size", poolSize)
      try checkWindow("strides", strides)
    case .dropout(let rate):
      guard (0..<1).contains(rate) else {
        throw fail("dropout rate \(rate), expected a value in [0, 1)")
      }
    case .dense(let units, _, _, let kernelL2):
      guard widthRange.contains(units) else {
        throw fail("units \(units), expected 1...\(widthRange.upperBound)")
      }
      guard kernelL2.isFinite, kernelL2 >= 0 else {
        throw fail("kernel L2 factor \(kernelL2), expected a finite value >= 0")
      }
    case .activation, .flatten, .concatenate:
      break
    }
  }

  /// The per-image output shape and parameter count of a layer, or `nil` when its inputs do
  /// not fit it.
  private static func outputShape(of kind: LayerKind, inputs: [[Int]]) -> ([Int], Int)? {
    let first = inputs.first ?? []
    switch kind {
    case .input(let height, let width, let channels):
      return ([height, width, channels], 0)
    case .conv2D(let filters, let kernel, let strides, let padding, let useBias, _):
      guard first.count == 3 else { return nil }
      let rows = padding.geometry(input: first[0], kernel: kernel[0], stride: strides[0])
      let columns = padding.geometry(input: first[1], kernel: kernel[1], stride: strides[1])
      let weights = product([kernel[0], kernel[1], first[2], filters])
      return ([rows.output, columns.output, filters], add(weights, useBias ? filters : 0))
    case .maxPooling2D(let pool, let strides, let padding):
      guard first.count == 3 else { return nil }
      let rows = padding.geometry(input: first[0], kernel: pool[0], stride: strides[0])
      let columns = padding.geometry(input: first[1], kernel: pool[1], stride: strides[1])
      return ([rows.output, columns.output, first[2]], 0)
    case .batchNormalization:
      guard let channels = first.last else { return nil }
      return (first, product([4, channels]))
    case .activation, .dropout:
      return (first, 0)
    case .flatten:
      return ([product(first)], 0)
    case .dense(let units, _, let useBias, _):
      guard first.count == 1 else { return nil }
      return ([units], add(product([first[0], units]), useBias ? units : 0))
    case .concatenate:
      guard first.count == 3,
        inputs.allSatisfy({ $0.count == 3 && $0[0] == first[0] && $0[1] == first[1] })
      else { return nil }
      return ([first[0], first[1], inputs.reduce(0) { add($0, $1[2]) }], 0)
    }
  }

  /// The product of `values`, or `Int.max` when it overflows.
  private static func product(_ values: [Int]) -> Int {
    var result = 1
    for value in values {
      let (next, overflow) = result.multipliedReportingOverflow(by: value)
      if overflow { return Int.max }
      result = next
    }
    return result
  }

  /// The sum of two counts, or `Int.max` when it overflows.
  private static func add(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : sum
  }
}
