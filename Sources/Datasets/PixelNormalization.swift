/// How byte pixels become network inputs: `value = (pixel - mean) / scale`.
///
/// The default, ``keras``, is `(x - 127.5) / 255`, which maps 0...255 to -0.5...0.5 as the
/// reference Keras model's preprocessing does.
public struct PixelNormalization: Sendable, Equatable {
  /// Subtracted from each pixel byte.
  public var mean: Float
  /// Divides the centred value; must not be zero.
  public var scale: Float

  /// Creates a normalization `(x - mean) / scale`.
  /// - Parameters:
  ///   - mean: subtracted first.
  ///   - scale: divides after; not zero.
  /// - Precondition: `scale != 0`.
  public init(mean: Float, scale: Float) {
    precondition(scale != 0, "PixelNormalization scale must not be zero")
    self.mean = mean
    self.scale = scale
  }

  /// `(x - 127.5) / 255`: values in -0.5...0.5 (the default).
  public static let keras = PixelNormalization(mean: 127.5, scale: 255)
  /// `x / 255`: values in 0...1.
  public static let unitRange = PixelNormalization(mean: 0, scale: 255)

  /// The normalized value of one pixel byte.
  /// - Parameter pixel: 0...255.
  /// - Returns: `(pixel - mean) / scale`.
  public func apply(_ pixel: UInt8) -> Float {
    (Float(pixel) - mean) / scale
  }

  /// The 256 normalized values, indexed by pixel byte.
  func table() -> [Float] {
    (0...255).map { apply(UInt8($0)) }
  }
}
