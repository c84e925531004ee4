#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Helpers for writing JSON text by hand, with a fixed key order.
public enum JSONText {
  /// Returns `text` as a quoted JSON string, escaping quotes, backslashes and control characters.
  public static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }

  /// Returns a number in its shortest round-trip form, or `null` when it is not finite.
  public static func number(_ value: Double) -> String {
    value.isFinite ? "\(value)" : "null"
  }

  /// Returns a JSON object of `fields` in the given order; values are JSON text already.
  public static func object(_ fields: [(key: String, value: String)]) -> String {
    "{" + fields.map { quoted($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
  }
}

/// Seconds on a monotonic clock, for measuring durations.
public func monotonicSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
