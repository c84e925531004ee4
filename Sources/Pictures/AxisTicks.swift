import Foundation

/// "Nice" tick values for a chart axis: multiples of 1, 2 or 5 times a power of ten.
///
/// Heckbert's labelling algorithm (Graphics Gems, 1990):
/// ```
/// range = nice(upper - lower, rounding: false)
/// step  = nice(range / (targetCount - 1), rounding: true)
/// ticks = k * step for k in ceil(lower / step) ... floor(upper / step)
/// ```
/// `nice(x)` picks 1, 2, 5 or 10 times `10^floor(log10 x)`. An axis that is not tight widens its
/// domain outward to the nearest ticks; a tight one keeps the data range and labels the ticks
/// inside it. An empty range (`lower == upper`) is widened around the value first.
public struct AxisTicks: Hashable, Sendable {
  /// The axis domain's lower end (a tick unless tight).
  public let lower: Double
  /// The axis domain's upper end (a tick unless tight).
  public let upper: Double
  /// The distance between ticks.
  public let step: Double
  /// The tick values in increasing order, all within `lower ... upper`.
  public let values: [Double]
  /// Digits after the decimal point that label every tick exactly.
  public let fractionDigits: Int

  /// Computes ticks for data that spans `lower ... upper`.
  /// - Parameters:
  ///   - lower: the smallest data value; non-finite bounds give the domain 0...1.
  ///   - upper: the largest data value (swapped with `lower` if smaller).
  ///   - targetCount: about how many ticks to aim for, >= 2; 5 by default.
  ///   - integerSteps: whether steps must be whole numbers (epochs); false by default.
  ///   - isTight: keep the domain at the data range instead of widening to ticks; false by
  ///     default.
  /// - Precondition: `targetCount >= 2`.
  public init(
    lower: Double, upper: Double, targetCount: Int = 5, integerSteps: Bool = false,
    isTight: Bool = false
  ) {
    precondition(targetCount >= 2, "AxisTicks needs targetCount >= 2, got \(targetCount)")
    var (low, high) = lower.isFinite && upper.isFinite ? (lower, upper) : (0, 1)
    if low > high { swap(&low, &high) }
    if !(high - low).isFinite { (low, high) = (0, 1) }
    if low == high {
      // Widen an empty range by half the value's order of magnitude, so 0.85 shows 0.8 ... 0.9.
      let margin = low == 0 ? 1 : 0.5 * pow(10, floor(log10(abs(low))))
      let widened = integerSteps ? max(margin, 1) : margin
      (low, high) = (low - widened, high + widened)
    }

    let range = AxisTicks.nice(high - low, rounding: false)
    var step = AxisTicks.nice(range / Double(targetCount - 1), rounding: true)
    if integerSteps { step = max(step.rounded(), 1) }
    // A tolerance of a millionth of a step keeps 0.3 / 0.1 = 2.9999999999999996 counting as
    // the tick 3, whichever way the bound is rounded.
    let tolerance = 1e-6
    let first = Int(
      isTight ? (low / step - tolerance).rounded(.up) : (low / step + tolerance).rounded(.down))
    let last = Int(
      isTight ? (high / step + tolerance).rounded(.down) : (high / step - tolerance).rounded(.up))
    self.step = step
    self.lower = isTight ? low : Double(first) * step
    self.upper = isTight ? high : Double(last) * step
    values = first <= last ? (first...last).map { Double($0) * step } : []
    fractionDigits = max(0, Int(-floor(log10(step) + 1e-9)))
  }

  /// The label of a tick value, with ``fractionDigits`` decimals (`-0` is written `0`).
  /// - Parameter value: a tick value.
  /// - Returns: the value in fixed-point notation, such as "0.25".
  public func label(for value: Double) -> String {
    let text = String(format: "%.\(fractionDigits)f", value)
    return Double(text) == 0 ? String(format: "%.\(fractionDigits)f", 0.0) : text
  }

  /// The labels of all ticks.
  public var labels: [String] { values.map(label(for:)) }

  /// 1, 2, 5 or 10 times the power of ten below `x`: the nearest when `rounding`, else the
  /// smallest that is >= `x`.
  static func nice(_ x: Double, rounding: Bool) -> Double {
    let exponent = floor(log10(x))
    let power = pow(10, exponent)
    let fraction = x / power
    let niceFraction: Double
    if rounding {
      niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    } else {
      // The slack keeps a range such as 0.9 - 0.8 = 0.10000000000000009 at 1, not 2.
      let f = fraction - 1e-9
      niceFraction = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
    }
    return niceFraction * power
  }
}
