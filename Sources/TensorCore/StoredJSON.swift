import Foundation

/// JSON as the project stores it in files and reports: keys sorted, and the non-finite floats
/// that plain JSON cannot express written as the strings `"inf"`, `"-inf"` and `"nan"`.
///
/// A diverging run can hold infinite or NaN losses; a benchmark can time a layer at zero.
public enum StoredJSON {
  /// The encoder: sorted keys, non-finite floats as strings.
  public static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  /// The decoder that reads what ``encoder`` writes.
  public static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }

  /// `value` as one line of JSON text.
  ///
  /// - Precondition: `value` encodes without throwing, which holds for types whose only
  ///   failure would be a non-finite float (written as a string here).
  public static func text(_ value: some Encodable) -> String {
    guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8)
    else {
      preconditionFailure("\(type(of: value)) did not encode as JSON")
    }
    return text
  }
}
