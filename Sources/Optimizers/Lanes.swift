// Note: on Linux, `Float.squareRoot()` lowers to a `sqrtf` call that may set `errno`, which
// keeps LLVM from vectorizing it, whether in a scalar loop or lane by lane in
// `SIMD16.squareRoot()`. The kernels therefore take the square root one lane at a time; the rest
// of the arithmetic is vectorized. For the reference model (1.35 M parameters) an RMSprop step
// takes about 2.2 ms on this machine (best of 60), against about 3.1 ms for plain scalar loops
// and a memory-bound floor near 0.5 ms without the square root. Building this module with
// `-Xcc -fno-math-errno` (an `unsafeFlags` setting in Package.swift) lets LLVM emit `sqrtps`
// and brings the step to about 0.76 ms; at about 0.5% of a training step that is not worth
// unsafe flags, which would also keep the package from being used as a dependency.

/// Loads and stores of 16 `Float`s for the update kernels, with a partial last chunk.
///
/// The kernels walk storage 16 elements at a time so that products, sums and quotients run as
/// vector instructions; `count` below 16 handles the tail through lanes that start at zero and
/// are never written back.
enum Lanes {
  /// The number of elements per chunk.
  static let width = 16

  /// Loads `count` (at most 16) elements from `pointer + offset`; lanes past `count` are zero.
  @inline(__always)
  static func load(_ pointer: UnsafePointer<Float>, _ offset: Int, _ count: Int)
    -> SIMD16<Float>
  {
    if count == width {
      return UnsafeRawPointer(pointer + offset).loadUnaligned(as: SIMD16<Float>.self)
    }
    var lanes = SIMD16<Float>()
    for j in 0..<count { lanes[j] = pointer[offset + j] }
    return lanes
  }

  /// Loads `count` (at most 16) elements from a mutable pointer; lanes past `count` are zero.
  @inline(__always)
  static func load(_ pointer: UnsafeMutablePointer<Float>, _ offset: Int, _ count: Int)
    -> SIMD16<Float>
  {
    load(UnsafePointer(pointer), offset, count)
  }

  /// Stores the first `count` (at most 16) lanes of `lanes` at `pointer + offset`.
  @inline(__always)
  static func store(
    _ lanes: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>, _ offset: Int, _ count: Int
  ) {
    if count == width {
      UnsafeMutableRawPointer(pointer + offset).storeBytes(of: lanes, as: SIMD16<Float>.self)
      return
    }
    for j in 0..<count { pointer[offset + j] = lanes[j] }
  }
}
