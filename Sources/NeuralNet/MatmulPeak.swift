import CDNNL
import TensorCore

/// The attainable arithmetic rate of this machine: a large oneDNN matrix product, timed.
///
/// `C[M, M] = A[M, M] · B[M, M]`, `2 · M³` operations, with `A` and `B` in the given precision
/// (bf16 products accumulate in fp32 and write fp32) and oneDNN's preferred layout for `B`.
/// The best of the timed repetitions is the figure: what a well-shaped product reaches here, the
/// ceiling a layer's GFLOP/s is compared with.
public enum MatmulPeak {
  /// Measures the rate.
  /// - Parameters:
  ///   - precision: the number format of the operands.
  ///   - size: `M`; default 2048 (17.2 GFLOP per product).
  ///   - repetitions: timed products after one warm-up; default 5.
  /// - Returns: GFLOP/s of the fastest repetition.
  /// - Throws: ``NeuralNetError/dnnl(layer:operation:status:)`` when oneDNN has no matrix
  ///   product for this precision on this CPU.
  /// - Precondition: `size` and `repetitions` are at least 1.
  public static func measure(
    precision: Precision, size: Int = 2048, repetitions: Int = 5
  ) throws(NeuralNetError) -> Double {
    precondition(size >= 1, "the matrix size must be at least 1, got \(size)")
    precondition(repetitions >= 1, "repetitions must be at least 1, got \(repetitions)")
    let context = try DNNLContext()
    let type = precision == .bf16 ? dnnl_bf16 : dnnl_f32
    var source = MemoryDesc.make([size, size], dnnl_ab, type: type)
    var weights = MemoryDesc.make([size, size], dnnl_format_tag_any, type: type)
    var destination = MemoryDesc.make([size, size], dnnl_ab)
    var desc = dnnl_matmul_desc_t()
    try check(
      dnnl_matmul_desc_init(&desc, &source, &weights, nil, &destination), "peak",
      "matmul desc")
    let product = try DNNLPrimitive(&desc, context, layer: "peak", operation: "matmul")
    let a = DNNLBuffer(product.md(dnnl_query_src_md), context)
    let b = DNNLBuffer(product.md(dnnl_query_weights_md), context)
    let c = DNNLBuffer(product.md(dnnl_query_dst_md), context)
    // 0x3F80 is 1.0 in bfloat16; as a float this pattern is 1.0039.
    for buffer in [a, b] {
      for offset in stride(from: 0, to: buffer.byteCount - 3, by: 4) {
        buffer.raw.storeBytes(of: UInt32(0x3F80_3F80), toByteOffset: offset, as: UInt32.self)
      }
    }

    let arguments = [(DNNL_ARG_SRC, a), (DNNL_ARG_WEIGHTS, b), (DNNL_ARG_DST, c)]
    product.execute(arguments)
    context.wait()
    var best = Double.infinity
    for _ in 0..<repetitions {
      let start = monotonicSeconds()
      product.execute(arguments)
      context.wait()
      best = min(best, monotonicSeconds() - start)
    }
    return 2 * Double(size) * Double(size) * Double(size) / best / 1e9
  }
}
