#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// A named array of weights owned by a layer, with storage for its gradient.
///
/// The value and gradient live in 64-byte aligned host memory that oneDNN memory objects wrap
/// directly, in the layout the engine chose for the layer (for example a blocked convolution
/// weight layout, which may pad channels). Both buffers always share that layout, so elementwise
/// work (optimizer updates, L2 penalties) can run over the raw storage without knowing it. Padding
/// elements stay zero: their gradient is zero, so no optimizer moves them.
///
/// `shape` is the Keras shape (`[kh, kw, inC, outC]` for a convolution kernel, `[in, out]` for a
/// dense kernel); ``kerasTensor(of:)`` and ``setKeras(_:into:)`` convert between storage and that
/// layout through ``storageOffsets``.
public final class Parameter: @unchecked Sendable {
  /// The Keras-like name, such as `conv2d_1/kernel` or `batch_normalization/moving_mean`.
  public let name: String
  /// The shape in Keras layout.
  public let shape: [Int]
  /// Whether an optimizer updates it (false for batch-norm moving statistics).
  public let isTrainable: Bool
  /// The L2 factor `λ` of a Keras `l2` regularizer.
  ///
  /// The loss gains `λ · Σ w²`; zero means no regularizer.
  public let l2Penalty: Float
  /// The number of `Float`s in storage; at least the product of `shape`.
  public let storageCount: Int
  /// The value, in engine layout.
  public let value: UnsafeMutablePointer<Float>
  /// The gradient of the loss with respect to the value, in the same layout.
  public let gradient: UnsafeMutablePointer<Float>
  /// The storage offset of each element, taken in Keras (row-major `shape`) order.
  ///
  /// `nil` when the storage is in Keras order. Set by the layer once the engine has picked a
  /// layout.
  public var storageOffsets: [Int32]?

  /// Creates a zero-filled parameter.
  /// - Parameters:
  ///   - name: the Keras-like name.
  ///   - shape: the Keras shape.
  ///   - isTrainable: false for state such as moving statistics; default true.
  ///   - l2Penalty: the L2 regularization factor; default 0.
  ///   - storageCount: elements to allocate; default the product of `shape`.
  public init(
    name: String, shape: [Int], isTrainable: Bool = true, l2Penalty: Float = 0,
    storageCount: Int? = nil
  ) {
    let count = shape.reduce(1, *)
    let storage = storageCount ?? count
    precondition(
      storage >= count,
      "Parameter \(name) of shape \(shape) needs at least \(count) elements, got \(storage)")
    self.name = name
    self.shape = shape
    self.isTrainable = isTrainable
    self.l2Penalty = l2Penalty
    self.storageCount = storage
    value = Parameter.allocateZeroed(storage)
    gradient = Parameter.allocateZeroed(storage)
  }

  deinit {
    free(value)
    free(gradient)
  }

  /// The number of elements in Keras layout (the product of `shape`).
  public var count: Int { shape.reduce(1, *) }

  /// Copies a buffer in this parameter's storage layout out into Keras layout.
  /// - Parameter buffer: `storageCount` elements laid out like ``value`` (the value itself, the
  ///   gradient, or optimizer state kept alongside).
  /// - Returns: the elements in Keras layout, with shape ``shape``.
  public func kerasTensor(of buffer: UnsafePointer<Float>) -> Tensor {
    var scalars = [Float](repeating: 0, count: count)
    if let offsets = storageOffsets {
      for i in 0..<count { scalars[i] = buffer[Int(offsets[i])] }
    } else {
      for i in 0..<count { scalars[i] = buffer[i] }
    }
    return Tensor(shape: shape, scalars: scalars)
  }

  /// Copies a tensor in Keras layout into a buffer in this parameter's storage layout.
  /// - Precondition: `tensor.shape` equals ``shape``.
  public func setKeras(_ tensor: Tensor, into buffer: UnsafeMutablePointer<Float>) {
    precondition(
      tensor.shape == shape,
      "Parameter \(name) expects shape \(shape), got \(tensor.shape)")
    if let offsets = storageOffsets {
      for i in 0..<count { buffer[Int(offsets[i])] = tensor.scalars[i] }
    } else {
      for i in 0..<count { buffer[i] = tensor.scalars[i] }
    }
  }

  /// The value in Keras layout.
  public var kerasValue: Tensor { kerasTensor(of: value) }

  /// Sets the value from a tensor in Keras layout.
  public func setKerasValue(_ tensor: Tensor) { setKeras(tensor, into: value) }

  private static func allocateZeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
    var raw: UnsafeMutableRawPointer?
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    guard posix_memalign(&raw, 64, bytes) == 0, let memory = raw else {
      fatalError("out of memory allocating \(bytes) bytes for a parameter")
    }
    memset(memory, 0, bytes)
    return memory.bindMemory(to: Float.self, capacity: max(count, 1))
  }
}
