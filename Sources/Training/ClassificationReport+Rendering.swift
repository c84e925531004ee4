import TensorCore
import Foundation

extension ClassificationReport {
  // MARK: - Plain text

  /// The report as plain text: the confusion matrix, the per-class table and kappa.
  ///
  /// The matrix has actual classes down the rows and predicted classes across, plus a `FN`
  /// column (a row's misses) and an `FP` row (a column's wrong hits). The table follows
  /// scikit-learn's `classification_report` with 4 digits, adding sensitivity and specificity.
  /// - Returns: lines ending in newlines.
  public func text() -> String {
    confusionText() + "\n" + tableText() + "\n"
      + "Cohen's kappa: \(String(format: "%.4f", kappa))\n"
  }

  private func confusionText() -> String {
    let largest = max(sampleCount, 10)
    let cell = max(String(largest).count, classNames.map(\.count).max() ?? 1, 2) + 1
    let label = max(classNames.map(\.count).max() ?? 1, 2)
    func pad(_ text: String, _ width: Int) -> String {
      String(repeating: " ", count: max(0, width - text.count)) + text
    }

    var lines = ["Confusion matrix (rows: actual, columns: predicted)", ""]
    lines.append(pad("", label) + (classNames + ["FN"]).map { pad($0, cell) }.joined())
    for (k, row) in confusion.enumerated() {
      let cells = (row + [perClass[k].falseNegatives]).map { pad(String($0), cell) }
      lines.append(pad(classNames[k], label) + cells.joined())
    }
    let falsePositives = perClass.map(\.falsePositives)
    let totalErrors = sampleCount - perClass.reduce(0) { $0 + $1.truePositives }
    lines.append(
      pad("FP", label) + (falsePositives + [totalErrors]).map { pad(String($0), cell) }.joined())
    return lines.joined(separator: "\n") + "\n"
  }

  private func tableText() -> String {
    let width = max(classNames.map(\.count).max() ?? 0, "weighted avg".count)
    func pad(_ text: String, _ width: Int) -> String {
      String(repeating: " ", count: max(0, width - text.count)) + text
    }
    func number(_ value: Double) -> String { String(format: "%.4f", value) }
    func row(_ name: String, _ values: [String]) -> String {
      let widths = [9, 9, 9, 9, 11, 11]
      return pad(name, width) + " " + zip(values, widths).map { " " + pad($0, $1) }.joined()
    }

    var lines = [
      row("", ["precision", "recall", "f1-score", "support", "sensitivity", "specificity"]), "",
    ]
    for metrics in perClass {
      lines.append(
        row(
          metrics.name,
          [
            number(metrics.precision), number(metrics.recall), number(metrics.f1),
            String(metrics.support), number(metrics.recall), number(metrics.specificity),
          ]))
    }
    lines.append("")
    lines.append(row("accuracy", ["", "", number(accuracy), String(sampleCount), "", ""]))
    for (name, average) in [("macro avg", macroAverage), ("weighted avg", weightedAverage)] {
      lines.append(
        row(
          name,
          [
            number(average.precision), number(average.recall), number(average.f1),
            String(average.support), number(average.recall), number(average.specificity),
          ]))
    }
    return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
      .joined(separator: "\n") + "\n"
  }

  // MARK: - JSON

  /// The report as one JSON object.
  ///
  /// Keys: `accuracy`, `kappa` (null when NaN), `confusion` (rows are actual classes),
  /// `perClass` (objects with `letter`, `precision`, `recall`, `f1`, `support`, `specificity`),
  /// `macroAverage` and `weightedAverage`. Numbers are in shortest round-trip form.
  /// - Returns: JSON text ending in a newline.
  public func json() -> String {
    let rows = confusion.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
    let classes = perClass.map { metrics in
      JSONText.object([
        ("letter", JSONText.quoted(metrics.name)),
        ("precision", JSONText.number(metrics.precision)),
        ("recall", JSONText.number(metrics.recall)), ("f1", JSONText.number(metrics.f1)),
        ("support", String(metrics.support)),
        ("specificity", JSONText.number(metrics.specificity)),
      ])
    }
    func averageJSON(_ average: Average) -> String {
      JSONText.object([
        ("precision", JSONText.number(average.precision)),
        ("recall", JSONText.number(average.recall)), ("f1", JSONText.number(average.f1)),
        ("support", String(average.support)),
        ("specificity", JSONText.number(average.specificity)),
      ])
    }
    let fields = [
      ("accuracy", JSONText.number(accuracy)), ("kappa", JSONText.number(kappa)),
      ("confusion", "[" + rows.joined(separator: ",") + "]"),
      ("perClass", "[" + classes.joined(separator: ",") + "]"),
      ("macroAverage", averageJSON(macroAverage)),
      ("weightedAverage", averageJSON(weightedAverage)),
    ]
    return JSONText.object(fields) + "\n"
  }

  // MARK: - CSV

  /// The per-class table as CSV, with averages, accuracy and kappa as extra rows.
  ///
  /// Columns: `class,precision,recall,f1,support,sensitivity,specificity`. The `accuracy` and
  /// `kappa` rows put their value in the `f1` column and leave the others empty, as the text
  /// table does. Numbers are in shortest round-trip form; NaN is written `nan`.
  /// - Returns: CSV text with a header line, ending in a newline.
  public func csv() -> String {
    func number(_ value: Double) -> String { value.isNaN ? "nan" : "\(value)" }
    var lines = ["class,precision,recall,f1,support,sensitivity,specificity"]
    for metrics in perClass {
      let values = [metrics.precision, metrics.recall, metrics.f1].map(number)
      lines.append(
        ([metrics.name] + values + [String(metrics.support)]
          + [number(metrics.recall), number(metrics.specificity)]).joined(separator: ","))
    }
    lines.append("accuracy,,,\(number(accuracy)),\(sampleCount),,")
    for (name, average) in [("macro avg", macroAverage), ("weighted avg", weightedAverage)] {
      let values = [average.precision, average.recall, average.f1].map(number)
      lines.append(
        ([name] + values + [String(average.support)]
          + [number(average.recall), number(average.specificity)]).joined(separator: ","))
    }
    lines.append("kappa,,,\(number(kappa)),\(sampleCount),,")
    return lines.joined(separator: "\n") + "\n"
  }

  /// The confusion matrix as CSV: a header of predicted classes, then one row per actual class.
  /// - Returns: CSV text whose first cell is `actual\predicted`, ending in a newline.
  public func confusionCSV() -> String {
    var lines = [(["actual\\predicted"] + classNames).joined(separator: ",")]
    for (k, row) in confusion.enumerated() {
      lines.append(([classNames[k]] + row.map(String.init)).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
