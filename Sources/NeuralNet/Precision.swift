/// The number format a model computes its activations and gradients in.
///
/// Weights, their gradients and the optimizer state stay 32-bit floats in both; `bf16` runs the
/// layers on bfloat16 data (8-bit exponent, 8-bit significand) through oneDNN where the CPU has
/// bfloat16 dot-product instructions.
public enum Precision: String, CaseIterable, Codable, Sendable {
  /// 32-bit IEEE floats throughout.
  case fp32
  /// bfloat16 activations and gradients, 32-bit master weights.
  case bf16
}
