import CDNNL
import Dispatch
import TensorCore

/// Swift-side elementwise loops over activation and gradient buffers of `f32` or `bf16`
/// elements, cut into fixed chunks that run in parallel.
///
/// `bf16` elements are widened to `Float`, computed on, and rounded to nearest even once.
enum Elementwise {
  /// Elements per chunk; a multiple of 16.
  static let chunkLength = 16_384

  /// The element types these loops read and write.
  enum ElementType: Sendable {
    case f32
    case bf16

    /// The element type of a buffer.
    /// - Precondition: the buffer holds `f32` or `bf16` elements.
    init(_ buffer: DNNLBuffer) {
      switch buffer.dataType {
      case dnnl_f32: self = .f32
      case dnnl_bf16: self = .bf16
      default:
        preconditionFailure("elementwise loops handle f32 and bf16, got \(buffer.dataType)")
      }
    }

    /// Bytes per element.
    var size: Int { self == .f32 ? 4 : 2 }
  }

  /// The number of stored elements of a buffer, padding included.
  static func elementCount(of buffer: DNNLBuffer) -> Int {
    buffer.byteCount / ElementType(buffer).size
  }

  /// Runs `body(chunk, range)` for every chunk of `0..<count`, in parallel when there are
  /// several; chunk `c` covers `c · chunkLength ..< min(count, (c + 1) · chunkLength)`.
  ///
  /// The chunks run on oneDNN's OpenMP team, each thread taking a contiguous run of them
  /// (``forEachRange(count:_:)``). Other threads would wait for cores while the team's threads
  /// spin between primitives.
  static func forEachChunk(count: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
    let chunks = (count + chunkLength - 1) / chunkLength
    if chunks <= 1 {
      body(0, 0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      forEachRange(count: chunks) { range in
        for c in range { body(c, c * chunkLength..<min(count, (c + 1) * chunkLength)) }
      }
    }
  }

  /// Runs `body` over `0..<count` cut into one contiguous range per thread of the OpenMP team.
  static func forEachRange(count: Int, _ body: @Sendable (Range<Int>) -> Void) {
    withoutActuallyEscaping(body) { body in
      var job = RangeJob(count: count, body: body)
      withUnsafeMutablePointer(to: &job) { pointer in
        GOMP_parallel(
          { raw in
            // The pointer is the job above, alive until GOMP_parallel returns.
            let job = raw!.assumingMemoryBound(to: RangeJob.self).pointee
            let threads = Int(omp_get_num_threads())
            let thread = Int(omp_get_thread_num())
            let share = (job.count + threads - 1) / threads
            let start = min(job.count, thread * share)
            let end = min(job.count, start + share)
            if start < end { job.body(start..<end) }
          }, pointer, 0, 0)
      }
    }
  }

  /// What each thread of ``forEachRange(count:_:)`` needs.
  private struct RangeJob {
    let count: Int
    let body: @Sendable (Range<Int>) -> Void
  }

  /// Writes `target = Σ parts` over the whole storage; `target` may be one of the parts.
  ///
  /// The sum runs in `Float` and `bf16` results are rounded once.
  /// - Precondition: every buffer has the target's element type and byte count.
  static func sum(_ parts: [DNNLBuffer], into target: DNNLBuffer) {
    let type = ElementType(target)
    precondition(
      parts.allSatisfy { ElementType($0) == type && $0.byteCount == target.byteCount },
      "gradient parts must match the target's element type and size")
    let memory = SharedPointers([target.raw] + parts.map(\.raw))
    forEachChunk(count: elementCount(of: target)) { _, range in
      let sources = memory.pointers.dropFirst().map { UnsafeRawPointer($0) }
      sumChunk(range, sources, memory.pointers[0], type)
    }
  }

  /// Pointers handed to chunk workers, each of which touches only its own range.
  struct SharedPointers: @unchecked Sendable {
    let pointers: [UnsafeMutableRawPointer]

    init(_ pointers: [UnsafeMutableRawPointer]) {
      self.pointers = pointers
    }
  }

  private static func sumChunk(
    _ range: Range<Int>, _ sources: [UnsafeRawPointer], _ target: UnsafeMutableRawPointer,
    _ type: ElementType
  ) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
      var acc = SIMD8<Float>()
      for source in sources { acc += load8(source, i, type) }
      store8(acc, target, i, type)
      i += 8
    }
    while i < range.upperBound {
      var acc: Float = 0
      for source in sources { acc += load1(source, i, type) }
      store1(acc, target, i, type)
      i += 1
    }
  }

  /// Elements `i..<i + 8` as `Float`s.
  @inline(__always)
  static func load8(_ base: UnsafeRawPointer, _ i: Int, _ type: ElementType) -> SIMD8<Float> {
    switch type {
    case .f32: base.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
    case .bf16: BFloat16.float(base.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<UInt16>.self))
    }
  }

  /// Stores eight `Float`s as elements `i..<i + 8`, rounding for `bf16`.
  @inline(__always)
  static func store8(
    _ value: SIMD8<Float>, _ base: UnsafeMutableRawPointer, _ i: Int, _ type: ElementType
  ) {
    switch type {
    case .f32: base.storeBytes(of: value, toByteOffset: i * 4, as: SIMD8<Float>.self)
    case .bf16:
      base.storeBytes(of: BFloat16.bits(value), toByteOffset: i * 2, as: SIMD8<UInt16>.self)
    }
  }

  /// Element `i` as a `Float`.
  @inline(__always)
  static func load1(_ base: UnsafeRawPointer, _ i: Int, _ type: ElementType) -> Float {
    switch type {
    case .f32: base.load(fromByteOffset: i * 4, as: Float.self)
    case .bf16: BFloat16.float(base.load(fromByteOffset: i * 2, as: UInt16.self))
    }
  }

  /// Stores one `Float` as element `i`, rounding for `bf16`.
  @inline(__always)
  static func store1(
    _ value: Float, _ base: UnsafeMutableRawPointer, _ i: Int, _ type: ElementType
  ) {
    switch type {
    case .f32: base.storeBytes(of: value, toByteOffset: i * 4, as: Float.self)
    case .bf16: base.storeBytes(of: BFloat16.bits(value), toByteOffset: i * 2, as: UInt16.self)
    }
  }
}
