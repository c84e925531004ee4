import NeuralNet
import TensorCore

/// Turns a `--model` value into a model: a built-in architecture name or a saved model file.
enum ModelLoading {
  /// Builds the named architecture with fresh weights (seed 0), or loads a saved model file.
  /// - Throws: `CommandLineError.usage` for a name that is neither a built-in model nor a file.
  static func model(named name: String) throws(CommandLineError) -> Model {
    var generator = SeededGenerator(seed: 0)
    if ModelBuilder.names.contains(name) {
      do {
        return try Model(named: name, generator: &generator)
      } catch {
        throw .failure(error.description)
      }
    }
    throw .usage(
      "--model must be one of \(ModelBuilder.names.joined(separator: ", ")) or a model file,"
        + " got '\(name)'")
  }
}
