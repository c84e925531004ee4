import Foundation
import TensorCore
import Testing

@testable import Optimizers

/// Expects `actual` within `abs + rel · |expected|` of `expected`, element by element.
func expectClose(
  _ actual: [Float], _ expected: [Float], abs: Float, rel: Float = 0, _ what: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    let bound = abs + rel * Swift.abs(e)
    #expect(
      Swift.abs(a - e) <= bound, "\(what)[\(i)]: \(a) vs \(e), bound \(bound)",
      sourceLocation: sourceLocation)
  }
}

/// A parameter of shape `[values.count]` with the given values and, optionally, gradients.
func makeParameter(
  _ name: String, _ values: [Float], gradient: [Float]? = nil, isTrainable: Bool = true
) -> Parameter {
  let parameter = Parameter(name: name, shape: [values.count], isTrainable: isTrainable)
  parameter.setKerasValue(Tensor(shape: [values.count], scalars: values))
  if let gradient { setGradient(parameter, gradient) }
  return parameter
}

/// Sets a parameter's gradient from Keras-order values.
func setGradient(_ parameter: Parameter, _ values: [Float]) {
  parameter.setKeras(Tensor(shape: parameter.shape, scalars: values), into: parameter.gradient)
}

/// The repository's Keras fixture folder, found from this file's path.
let kerasFixtureDirectory = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent()
  .deletingLastPathComponent()
  .appendingPathComponent("NeuralNetTests/Fixtures/keras")

/// A tensor as the Keras fixtures store it.
struct FixtureTensor: Decodable, Sendable {
  let shape: [Int]
  let values: [Float]
}

/// Decodes one fixture file.
func loadFixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
  let data = try Data(contentsOf: kerasFixtureDirectory.appendingPathComponent(name))
  return try JSONDecoder().decode(T.self, from: data)
}
