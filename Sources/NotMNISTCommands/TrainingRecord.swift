import Foundation
import TensorCore
import Training

/// What `notmnist train` stores in a model file's metadata besides the weights, so that
/// `notmnist report` can show the run's settings and draw its curves from the model file alone.
///
/// Two metadata keys, both JSON text:
/// - `settings`: the settings block printed at the start of the run, as a list of
///   `{"name": ..., "value": ...}` objects in order.
/// - `history`: one object per finished epoch with `epoch`, `trainLoss`, `trainAccuracy`,
///   `validationLoss` and `validationAccuracy` (absent without validation data), `learningRate`
///   and `seconds`. A loss that is not finite is stored as the string `"nan"`, `"inf"` or
///   `"-inf"`.
struct TrainingRecord: Equatable {
  /// The metadata key of the settings list.
  static let settingsKey = "settings"
  /// The metadata key of the epoch history.
  static let historyKey = "history"

  /// The run's settings, in the order they were printed.
  var settings: [RunStart.Setting]
  /// One record per finished epoch, first epoch first.
  var history: [EpochRecord]

  /// Creates a record from a run's settings and history.
  init(settings: [RunStart.Setting], history: [EpochRecord]) {
    self.settings = settings
    self.history = history
  }

  /// Reads the record from a model file's metadata; a missing key gives an empty list, so a
  /// model written without them still has a report.
  /// - Parameters:
  ///   - metadata: the model file's metadata.
  ///   - path: the model file, for messages.
  /// - Throws: `CommandLineError.failure` naming the file and key when a value is not the JSON
  ///   this type writes.
  init(metadata: [String: String], path: String) throws(CommandLineError) {
    settings = try Self.decode(
      [StoredSetting].self, metadata[Self.settingsKey], key: Self.settingsKey, path: path
    ).map { RunStart.Setting(name: $0.name, value: $0.value) }
    history = try Self.decode(
      [EpochRecord].self, metadata[Self.historyKey], key: Self.historyKey, path: path)
  }

  /// The two metadata entries, as compact JSON with sorted keys.
  var metadata: [String: String] {
    let stored = settings.map { StoredSetting(name: $0.name, value: $0.value) }
    return [Self.settingsKey: Self.encode(stored), Self.historyKey: Self.encode(history)]
  }

  // MARK: - JSON

  /// A setting as it is stored.
  private struct StoredSetting: Codable {
    var name: String
    var value: String
  }

  private static func encode(_ value: some Encodable) -> String { StoredJSON.text(value) }

  private static func decode<Value: Decodable & RangeReplaceableCollection>(
    _ type: Value.Type, _ text: String?, key: String, path: String
  ) throws(CommandLineError) -> Value {
    guard let text else { return Value() }
    do {
      return try StoredJSON.decoder.decode(type, from: Data(text.utf8))
    } catch {
      throw .failure(
        "\(path): metadata '\(key)' is not the JSON list 'notmnist train' writes: "
          + String(text.prefix(60)))
    }
  }
}
