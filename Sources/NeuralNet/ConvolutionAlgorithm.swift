/// How training passes compute 3×3 convolutions.
///
/// `winograd` computes eligible convolutions (3×3 kernel, stride 1, at most one pixel of
/// padding, input and output channels multiples of 16) with oneDNN's Winograd F(4×4, 3×3)
/// kernels, in the forward, backward-data and backward-weights passes of training. They need
/// fewer multiplications than the direct method (a step of the reference model takes about a
/// fifth less time) and round differently: one step's gradients agree with the direct method's
/// to about 1e-6 relative. Other convolutions, inference passes and bf16 models always use the
/// direct method, as does any pass for which oneDNN has no Winograd kernel on this CPU.
///
/// `direct` computes every convolution the way Keras's oneDNN-backed TensorFlow does.
public enum ConvolutionAlgorithm: String, CaseIterable, Codable, Sendable {
  /// Direct convolution everywhere.
  case direct
  /// Winograd for eligible fp32 training convolutions, direct elsewhere.
  case winograd
}

extension ConvolutionAlgorithm {
  /// The algorithm eligible training convolutions use when the model computes in `precision`:
  /// `direct` for bf16, which has no Winograd kernels; this one otherwise.
  public func effective(at precision: Precision) -> ConvolutionAlgorithm {
    precision == .bf16 ? .direct : self
  }
}
