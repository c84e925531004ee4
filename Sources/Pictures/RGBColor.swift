import Foundation

/// An opaque 8-bit sRGB colour.
public struct RGBColor: Hashable, Sendable, CustomStringConvertible {
  /// Red, 0...255.
  public var red: UInt8
  /// Green, 0...255.
  public var green: UInt8
  /// Blue, 0...255.
  public var blue: UInt8

  /// Creates a colour from its three channels.
  /// - Parameters:
  ///   - red: red channel, 0...255.
  ///   - green: green channel, 0...255.
  ///   - blue: blue channel, 0...255.
  public init(red: UInt8, green: UInt8, blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// Creates a colour from a 24-bit hex value such as `0x1F77B4`.
  /// - Parameter hex: `0xRRGGBB`.
  public init(hex: UInt32) {
    self.init(
      red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
  }

  /// White, the background of every picture.
  public static let white = RGBColor(hex: 0xFFFFFF)
  /// Black.
  public static let black = RGBColor(hex: 0x000000)
  /// Near-black used for text and axes.
  public static let ink = RGBColor(hex: 0x222222)
  /// Light gray used for grid lines and frames.
  public static let gridGray = RGBColor(hex: 0xDDDDDD)
  /// Middle gray used for secondary text.
  public static let mutedGray = RGBColor(hex: 0x666666)

  /// Distinct series colours (matplotlib's `tab10`, first six), in the order series use them.
  public static let seriesPalette: [RGBColor] = [
    RGBColor(hex: 0x1F77B4), RGBColor(hex: 0xFF7F0E), RGBColor(hex: 0x2CA02C),
    RGBColor(hex: 0xD62728), RGBColor(hex: 0x9467BD), RGBColor(hex: 0x8C564B),
  ]

  /// Relative luminance from 0 to 1, with BT.709 weights on linearized sRGB.
  ///
  /// `L = 0.2126 R + 0.7152 G + 0.0722 B`, each channel linearized with the sRGB curve.
  public var luminance: Double {
    func linear(_ channel: UInt8) -> Double {
      let c = Double(channel) / 255
      return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
  }

  /// Black or white, whichever contrasts more with this colour (for text drawn on it).
  public var contrastingText: RGBColor {
    // The crossover where white and black text have equal WCAG contrast ratios.
    luminance > 0.179 ? .black : .white
  }

  /// Mixes `self` toward `other`: `self + (other - self) * fraction`, per channel, rounded.
  /// - Parameters:
  ///   - other: the colour reached at `fraction == 1`.
  ///   - fraction: 0...1; values outside are clamped.
  /// - Returns: the mixed colour.
  public func mixed(with other: RGBColor, fraction: Double) -> RGBColor {
    let t = min(max(fraction, 0), 1)
    func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
      UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
    }
    return RGBColor(
      red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
  }

  /// `#RRGGBB`.
  public var description: String {
    "#"
      + [red, green, blue].map { String($0, radix: 16, uppercase: true) }
      .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
  }
}
