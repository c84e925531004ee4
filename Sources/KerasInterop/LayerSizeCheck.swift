import NeuralNet

/// Bounds the memory a model configuration can ask for before any layer is built.
///
/// Each argument is bounded on its own by ``LayerTranslation``, but their products are not: a
/// Dense layer of 65,536 units after a 4096x4096 input would need 2^40 weights. This walk infers
/// each layer's output shape (`[H, W, C]` or `[F]`, per image) and refuses a layer with more than
/// ``maxScalars`` parameters or output values per image. Shapes that do not fit together are
/// left to the model builder, which names the problem.
enum LayerSizeCheck {
  /// The most parameters, and the most output values per image, of one layer: 2^28 (1 GiB of
  /// `float32`).
  static let maxScalars = 1 << 28

  /// Checks every layer of `layers`, given in an order where each follows its inputs.
  /// - Throws: ``KerasError/unsupported(layer:className:problem:)`` naming the first layer over
  ///   the bound and its count.
  static func check(_ layers: [LayerDescription]) throws(KerasError) {
    var shapes: [String: [Int]] = [:]
    for layer in layers {
      let inputs = layer.inputs.compactMap { shapes[$0] }
      guard inputs.count == layer.inputs.count else { continue }
      guard let (shape, parameters) = outputShape(of: layer.kind, inputs: inputs),
        shape.allSatisfy({ $0 > 0 })
      else { continue }
      let outputs = product(shape)
      for (what, count) in [("parameters", parameters), ("output values per image", outputs)]
      where count > maxScalars {
        throw .unsupported(
          layer: layer.name, className: layer.kind.typeName,
          problem: "\(count == Int.max ? "more than Int.max" : "\(count)") \(what),"
            + " at most \(maxScalars)")
      }
      shapes[layer.name] = shape
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
