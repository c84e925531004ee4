/// A dense array of `Float` in host memory with a shape, laid out row-major.
///
/// Images use the Keras layout `[N, H, W, C]`. `Tensor` is the exchange format at the edges of
/// the engine: inputs, outputs, parameters in Keras layout, test fixtures. Inside the engine,
/// activations live in oneDNN memory in whatever layout oneDNN picks.
public struct Tensor: Sendable, Equatable {
  /// The extent of each axis, outermost first.
  public var shape: [Int]
  /// The elements, row-major; `scalars.count` equals the product of `shape`.
  public var scalars: [Float]

  /// Creates a tensor from a shape and its elements.
  /// - Precondition: `scalars.count` equals the product of `shape`.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be non-negative, got \(shape)")
    precondition(
      shape.reduce(1, *) == scalars.count,
      "Tensor of shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
  }

  /// Creates a tensor of the given shape filled with `value` (zero by default).
  public init(shape: [Int], repeating value: Float = 0) {
    self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
  }

  /// The number of elements.
  public var count: Int { scalars.count }
}
