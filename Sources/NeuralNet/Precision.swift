/// The number format a model computes its activations and gradients in.
///
/// Weights, their gradients and the optimizer state stay 32-bit floats in both; `bf16` runs the
/// layers on bfloat16 data (8-bit exponent, 8-bit significand) through oneDNN where the CPU has
/// bfloat16 dot-product instructions.
///
/// In `bf16`, convolutions and dense layers multiply bf16 copies of the weights, refreshed from
/// the 32-bit weights by every forward pass, and write 32-bit weight gradients; batch
/// normalization keeps 32-bit scale, shift and statistics. The model input stays 32-bit and is
/// narrowed by the first layer; the softmax layer writes 32-bit logits, so the loss and its
/// gradient are computed in 32 bits.
///
/// - Note: `bf16` needs oneDNN to report the AVX-512 BF16 instructions (`avx512_core_bf16` or
///   later); elsewhere building a `bf16` model throws
///   ``NeuralNetError/unsupportedPrecision(_:reason:)``.
public enum Precision: String, CaseIterable, Codable, Sendable {
  /// 32-bit IEEE floats throughout.
  case fp32
  /// bfloat16 activations and gradients, 32-bit master weights.
  case bf16
}

extension Precision {
  /// Whether models of this precision can be built on this CPU: always for fp32; for bf16 when
  /// oneDNN reports the AVX-512 BF16 instructions (`avx512_core_bf16` or a later ISA).
  public var isAvailable: Bool {
    switch self {
    case .fp32: true
    case .bf16: DNNLContext.supportsBF16
    }
  }
}
