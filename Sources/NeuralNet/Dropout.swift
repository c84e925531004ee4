import CDNNL
import CKernels
import Dispatch
import TensorCore

#if canImport(Glibc)
  import Glibc
#endif

/// Inverted dropout (Keras `Dropout`).
///
/// In training, `y = x · m / (1 - rate)` with `m ~ Bernoulli(1 - rate)` per element; in
/// inference, `y = x`. Any shape; `f32` or `bf16` activations.
///
/// The mask is drawn in storage order over the whole buffer, so it works on any oneDNN layout;
/// padding elements are zero in the input and stay zero. See ``DropoutMask`` for how the mask
/// follows from the run's generator.
final class Dropout: Layer {
  let name: String
  let outputShape: NodeShape
  let rate: Float
  /// Whether training overwrites the input buffer instead of writing its own output buffer.
  ///
  /// Set by `Model` when nothing else reads the input buffer (see `Model.markInPlaceDropouts`):
  /// the producer feeds only this layer and is not the model input, and no backward pass in
  /// this engine reads its own output, so the producer's backward is unaffected.
  var isInPlace = false
  var parameters: [Parameter] { [] }

  init(name: String, input: NodeShape, rate: Float) throws(NeuralNetError) {
    guard rate >= 0, rate < 1 else {
      throw .invalidArchitecture(layer: name, reason: "Dropout rate must be in [0, 1), got \(rate)")
    }
    self.name = name
    outputShape = input
    self.rate = rate
  }

  func makeStep(
    inputs: [DNNLBuffer], batch: Int, mode: PlanMode, needsInputGradient: Bool,
    context: DNNLContext
  ) throws(NeuralNetError) -> LayerStep {
    if mode == .inference || rate == 0 { return IdentityStep(input: inputs[0]) }
    return DropoutStep(input: inputs[0], rate: rate, isInPlace: isInPlace, context: context)
  }
}

/// ``Dropout`` in training mode for one batch size.
private final class DropoutStep: LayerStep {
  let input: DNNLBuffer
  let mask: DropoutMask
  let context: DNNLContext
  /// Whether the last forward pass dropped anything; backward is then the identity.
  private var wasActive = false

  init(input: DNNLBuffer, rate: Float, isInPlace: Bool, context: DNNLContext) {
    self.input = input
    self.context = context
    mask = DropoutMask(count: Elementwise.elementCount(of: input), rate: rate)
    super.init(output: isInPlace ? input : DNNLBuffer(input.desc, context))
  }

  override func forward(_ state: inout RunState) {
    context.wait()
    wasActive = state.isDropoutActive
    if wasActive {
      mask.draw(applyingTo: input, into: output, generator: &state.generator)
    } else if output !== input {
      memcpy(output.raw, input.raw, input.byteCount)
    }
  }

  override func backward(outputGradient: DNNLBuffer, inputGradients: [DNNLBuffer?]) {
    guard let target = inputGradients[0] else { return }
    context.wait()
    if wasActive {
      mask.apply(to: outputGradient, into: target)
    } else if target !== outputGradient {
      memcpy(target.raw, outputGradient.raw, outputGradient.byteCount)
    }
  }
}

// MARK: - Mask

/// The keep mask of inverted dropout over one buffer: one byte per stored element (1 keep,
/// 0 drop), and the scaling `1 / (1 - rate)` applied with it.
///
/// Drawing: the buffer is cut into chunks of `Elementwise.chunkLength` elements; the run's
/// generator gives one 64-bit seed per chunk, in chunk order, and each chunk draws its elements
/// from its own eight-lane xoshiro256++ generator seeded from that word through SplitMix64.
/// Chunks run in parallel, and the mask depends only on the seeds, never on the number of
/// threads.
///
/// Note: each 64-bit draw gives two 24-bit uniforms (bits 40-63 and 16-39), which halves the
/// cost of the mask; the keep test `u < (1 - rate) · 2²⁴` is exact for rates that are multiples
/// of 2⁻²⁴. One group of 16 elements uses the eight lanes' high uniforms for its first eight
/// elements and their low uniforms for the next eight. The loops are C (the CKernels target),
/// built for AVX-512 and AVX2 besides the baseline instruction set that Swift compiles for.
final class DropoutMask {
  /// The number of elements.
  let count: Int
  /// `1 / (1 - rate)` as a `Float`, the factor of kept elements.
  let scale: Float
  /// The keep threshold on 24-bit uniforms, `(1 - rate) · 2²⁴`.
  let threshold: UInt64
  /// One byte per element: 1 keep, 0 drop.
  let keep: UnsafeMutablePointer<UInt8>

  init(count: Int, rate: Float) {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
    self.count = count
    scale = 1 / (1 - rate)
    threshold = UInt64((1 - Double(rate)) * 16_777_216)
    keep = .allocate(capacity: max(count, 1))
    keep.initialize(repeating: 1, count: max(count, 1))
  }

  deinit {
    keep.deallocate()
  }

  /// Draws a new mask and writes `destination = source · mask · scale`.
  ///
  /// `source` and `destination` may be the same buffer; both have this mask's element count and
  /// the same element type.
  /// - Parameters:
  ///   - source: the input activations.
  ///   - destination: where the result goes.
  ///   - generator: the run's stream; advanced by one word per chunk.
  func draw(
    applyingTo source: DNNLBuffer, into destination: DNNLBuffer,
    generator: inout SeededGenerator
  ) {
    let type = Self.checkedType(source, destination, count: count)
    let chunks = (count + Elementwise.chunkLength - 1) / Elementwise.chunkLength
    let seeds = (0..<chunks).map { _ in generator.next() }
    let memory = ChunkMemory(keep: keep, from: source.raw, to: destination.raw)
    let threshold = threshold
    let scale = scale
    Elementwise.forEachChunk(count: count) { c, range in
      Self.drawChunk(seed: seeds[c], range: range, threshold: threshold, keep: memory.keep)
      Self.applyChunk(range: range, memory: memory, scale: scale, type: type)
    }
  }

  /// Writes `destination = source · mask · scale` with the current mask (the backward pass).
  ///
  /// `source` and `destination` may be the same buffer.
  func apply(to source: DNNLBuffer, into destination: DNNLBuffer) {
    let type = Self.checkedType(source, destination, count: count)
    let memory = ChunkMemory(keep: keep, from: source.raw, to: destination.raw)
    let scale = scale
    Elementwise.forEachChunk(count: count) { _, range in
      Self.applyChunk(range: range, memory: memory, scale: scale, type: type)
    }
  }

  /// The mask and the two buffers, shared by the chunk workers.
  ///
  /// Each worker reads and writes only its own chunk's range, and the caller waits for all of
  /// them, so sharing the pointers across threads is safe.
  private struct ChunkMemory: @unchecked Sendable {
    let keep: UnsafeMutablePointer<UInt8>
    let from: UnsafeMutableRawPointer
    let to: UnsafeMutableRawPointer
  }

  private static func checkedType(
    _ source: DNNLBuffer, _ destination: DNNLBuffer, count: Int
  ) -> Elementwise.ElementType {
    let type = Elementwise.ElementType(source)
    precondition(
      Elementwise.ElementType(destination) == type && source.byteCount == count * type.size
        && destination.byteCount == source.byteCount,
      "dropout of \(count) elements got buffers of \(source.byteCount) and "
        + "\(destination.byteCount) bytes")
    return type
  }

  /// Writes the keep bytes of one chunk from its seed (`dropout_draw` in CKernels).
  private static func drawChunk(
    seed: UInt64, range: Range<Int>, threshold: UInt64, keep: UnsafeMutablePointer<UInt8>
  ) {
    dropout_draw(seed, keep + range.lowerBound, range.count, threshold)
  }

  /// Writes `to[i] = from[i] · keep[i] · scale` over one chunk.
  private static func applyChunk(
    range: Range<Int>, memory: ChunkMemory, scale: Float, type: Elementwise.ElementType
  ) {
    let keep = memory.keep + range.lowerBound
    let offset = range.lowerBound * type.size
    switch type {
    case .f32:
      dropout_apply_f32(
        (memory.from + offset).assumingMemoryBound(to: Float.self),
        (memory.to + offset).assumingMemoryBound(to: Float.self), keep, range.count, scale)
    case .bf16:
      dropout_apply_bf16(
        (memory.from + offset).assumingMemoryBound(to: UInt16.self),
        (memory.to + offset).assumingMemoryBound(to: UInt16.self), keep, range.count, scale)
    }
  }
}
