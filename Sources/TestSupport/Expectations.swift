import Testing
import TensorCore

/// Expects two float arrays to agree elementwise within `|a - b| <= atol + rtol · |b|`.
///
/// Reports the first mismatching index with both values and the worst error.
/// - Parameters:
///   - actual: the computed values.
///   - expected: the reference values, same count.
///   - rtol: relative tolerance; default 1e-5.
///   - atol: absolute tolerance; default 1e-6.
///   - comment: added to the failure message.
///   - sourceLocation: where the failure is reported.
public func expectClose(
  _ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6,
  _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.count == expected.count else {
    let message = "count \(actual.count) differs from expected \(expected.count)"
    Issue.record(Comment(rawValue: message + suffix(comment)), sourceLocation: sourceLocation)
    return
  }
  var worst: Float = 0
  var firstBad: Int?
  for i in 0..<actual.count {
    let error = abs(actual[i] - expected[i])
    worst = max(worst, error)
    if firstBad == nil && !(error <= atol + rtol * abs(expected[i])) { firstBad = i }
  }
  if let i = firstBad {
    let message = "element \(i): \(actual[i]) vs expected \(expected[i]); worst |error| \(worst)"
    Issue.record(Comment(rawValue: message + suffix(comment)), sourceLocation: sourceLocation)
  }
}

/// Expects two tensors to have equal shapes and elements within `atol + rtol · |expected|`.
public func expectClose(
  _ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6,
  _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.shape == expected.shape, comment, sourceLocation: sourceLocation)
  expectClose(
    actual.scalars, expected.scalars, rtol: rtol, atol: atol, comment,
    sourceLocation: sourceLocation)
}

/// Central finite differences of a scalar function, evaluated in Double.
///
/// `g_i = (f(x + h·e_i) - f(x - h·e_i)) / (2h)` for each index in `indices`.
/// - Parameters:
///   - x: the point; restored before returning.
///   - indices: which coordinates to differentiate.
///   - step: `h`.
///   - f: the function, reading `x`.
/// - Returns: one derivative per index.
public func centralDifferences(
  at x: inout [Float], indices: [Int], step: Float, _ f: ([Float]) -> Double
) -> [Double] {
  indices.map { i in
    let saved = x[i]
    x[i] = saved + step
    let plus = f(x)
    x[i] = saved - step
    let minus = f(x)
    x[i] = saved
    return (plus - minus) / (2 * Double(step))
  }
}

/// Uniform random floats in `[low, high)` from a seeded generator.
public func uniformScalars(
  count: Int, low: Float = -1, high: Float = 1, generator: inout SeededGenerator
) -> [Float] {
  (0..<count).map { _ in low + (high - low) * generator.nextUnitFloat() }
}

private func suffix(_ comment: Comment?) -> String {
  comment.map { " (\($0.rawValue))" } ?? ""
}
