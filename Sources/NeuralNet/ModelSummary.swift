/// A Keras-style summary of a model: one row per layer and the parameter totals.
///
/// Encodes to JSON as `{"totalParams", "trainableParams", "nonTrainableParams", "layers":
/// [{"name", "type", "outputShape", "params", "connectedTo"}]}`, where `outputShape` lists the
/// dimensions with `null` for the batch (Keras's `(None, 28, 28, 32)`).
public struct ModelSummary: Encodable, Sendable, Equatable {
  /// One row of the summary table.
  public struct Row: Encodable, Sendable, Equatable {
    /// The layer name, such as `conv2d_1`.
    public var name: String
    /// The Keras class name, such as `Conv2D`.
    public var type: String
    /// The output shape with `nil` for the batch axis.
    public var outputShape: [Int?]
    /// The number of parameters (trainable and not).
    public var params: Int
    /// The inputs in Keras notation, such as `conv2d[0][0]`.
    public var connectedTo: [String]
  }

  /// The model name.
  public var modelName: String
  /// All parameters.
  public var totalParams: Int
  /// Parameters an optimizer updates.
  public var trainableParams: Int
  /// State such as batch-norm moving statistics.
  public var nonTrainableParams: Int
  /// The layers in order.
  public var layers: [Row]

  private enum CodingKeys: String, CodingKey {
    case totalParams, trainableParams, nonTrainableParams, layers
  }

  /// The table as text, in the manner of Keras's `model.summary()`.
  public var text: String {
    let headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    let cells = layers.map { row in
      [
        "\(row.name) (\(row.type))",
        "(" + row.outputShape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")",
        ModelSummary.grouped(row.params),
        row.connectedTo.joined(separator: ", "),
      ]
    }
    var widths = headers.map(\.count)
    for row in cells {
      for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) }
    }
    func line(_ fields: [String]) -> String {
      fields.enumerated().map { k, field in
        k == 2
          ? String(repeating: " ", count: widths[k] - field.count) + field
          : field + String(repeating: " ", count: widths[k] - field.count)
      }.joined(separator: "  ").trimmingTrailingSpaces()
    }
    let rule = String(repeating: "=", count: widths.reduce(0, +) + 6)
    var lines = ["Model: \"\(modelName)\"", rule, line(headers), rule]
    lines += cells.map(line)
    lines += [
      rule,
      "Total params: \(ModelSummary.grouped(totalParams))",
      "Trainable params: \(ModelSummary.grouped(trainableParams))",
      "Non-trainable params: \(ModelSummary.grouped(nonTrainableParams))",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  /// `1347306` as `1,347,306`.
  static func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var out = ""
    for (k, digit) in digits.enumerated() {
      if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
      out.append(digit)
    }
    return out
  }
}

extension String {
  fileprivate func trimmingTrailingSpaces() -> String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}

extension Model {
  /// The Keras-style summary: each layer's type, output shape, parameter count and inputs, and
  /// the totals.
  public func summary() -> ModelSummary {
    let rows = zip(architecture.layers, zip(layers, inputs)).map { description, pair in
      let (layer, sources) = pair
      return ModelSummary.Row(
        name: description.name, type: description.kind.typeName,
        outputShape: [nil] + layer.outputShape.keras.map { Optional($0) },
        params: layer.parameters.map(\.count).reduce(0, +),
        connectedTo: sources.map { "\(architecture.layers[$0].name)[0][0]" })
    }
    let trainable = trainableParameters.map(\.count).reduce(0, +)
    let total = parameters.map(\.count).reduce(0, +)
    return ModelSummary(
      modelName: architecture.name, totalParams: total, trainableParams: trainable,
      nonTrainableParams: total - trainable, layers: rows)
  }

  /// The summary table as text, ending with the three totals lines.
  public func summaryText() -> String { summary().text }
}
