import Foundation
import Training

/// One self-contained HTML page about a trained model: the run's settings, its curves, the
/// evaluation tables and the pictures, embedded as base64 PNG data URIs.
///
/// The page needs nothing else: no stylesheet, script, font or image from anywhere. Sections,
/// in order, with their element ids: `overview`, `settings`, `curves` (with the epoch table),
/// `confusion`, `per-class`, `mistakes`, `samples`, `flagged`. Text is escaped; numbers use
/// four decimals like `notmnist evaluate`.
struct HTMLReport {
  /// A PNG picture with its text alternative and caption.
  struct Figure: Equatable {
    /// The picture's `alt` text, also what a failed check names.
    var title: String
    /// The complete PNG file.
    var png: [UInt8]
    /// The picture's width in pixels.
    var width: Int
    /// The picture's height in pixels.
    var height: Int
    /// A sentence under the picture; empty for none.
    var caption: String = ""
  }

  /// The page's `<title>` and main heading.
  var title: String
  /// Facts shown first as name–value rows: model file, architecture, data.
  var overview: [RunStart.Setting]
  /// The training settings from the model file; empty when it records none.
  var settings: [RunStart.Setting]
  /// The epochs of the training run; empty when the model file records none.
  var history: [EpochRecord]
  /// The loss and accuracy curves, or `nil` without history.
  var curves: Figure?
  /// What the model was evaluated on, such as "t10k-images-idx3-ubyte.gz (10000 images)".
  var evaluationName: String
  /// The evaluation.
  var evaluation: ClassificationReport
  /// The confusion-matrix heatmap.
  var confusion: Figure
  /// The most confident mistakes, or `nil` when there is none.
  var mistakes: Figure?
  /// Random images of the data.
  var samples: Figure
  /// The flagged images (conflicting duplicates, blank images); empty when none was found.
  var flagged: [Figure]
  /// One sentence saying what was flagged and in which data.
  var flaggedSummary: String

  /// Every picture of the page, in page order.
  var figures: [Figure] {
    [curves, confusion, mistakes, samples].compactMap { $0 } + flagged
  }

  /// The whole page.
  /// - Returns: an HTML5 document, UTF-8, ending in a newline.
  func html() -> String {
    var body: [String] = ["<h1>\(escape(title))</h1>"]
    body += overviewSection()
    body += settingsSection()
    body += curvesSection()
    body += confusionSection()
    body += perClassSection()
    body += mistakesSection()
    body += section("samples", "Random images of the data", [figureHTML(samples)])
    body += section(
      "flagged", "Flagged images",
      ["<p>\(escape(flaggedSummary))</p>"] + flagged.map(figureHTML))
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="notmnist \(Program.version)">
      <title>\(escape(title))</title>
      <style>
      \(Self.styleSheet)
      </style>
      </head>
      <body>
      <main>
      \(body.joined(separator: "\n"))
      </main>
      </body>
      </html>

      """
  }

  // MARK: - Sections

  private func overviewSection() -> [String] {
    let correct = evaluation.perClass.map(\.truePositives).reduce(0, +)
    let cards = [
      ("accuracy", percent(evaluation.accuracy)),
      ("Cohen's kappa", number(evaluation.kappa)),
      ("images evaluated", String(evaluation.sampleCount)),
      ("mistakes", String(evaluation.sampleCount - correct)),
    ].map { "<div class=\"card\"><span>\(escape($0.0))</span><b>\(escape($0.1))</b></div>" }
    return section(
      "overview", "Overview",
      ["<div class=\"cards\">" + cards.joined() + "</div>", settingsTable(overview)])
  }

  private func settingsSection() -> [String] {
    let content =
      settings.isEmpty
      ? "<p class=\"muted\">The model file records no training settings.</p>"
      : settingsTable(settings)
    return section("settings", "Training settings", [content])
  }

  private func curvesSection() -> [String] {
    guard let curves else {
      return section(
        "curves", "Training curves",
        ["<p class=\"muted\">The model file records no epoch history.</p>"])
    }
    let hasValidation = history.contains { $0.validationLoss != nil }
    var headers = ["epoch", "loss", "accuracy"]
    if hasValidation { headers += ["val loss", "val accuracy"] }
    headers += ["learning rate", "seconds"]
    let rows = history.map { record in
      var cells = [String(record.epoch), number(record.trainLoss), number(record.trainAccuracy)]
      if hasValidation {
        cells += [
          record.validationLoss.map(number) ?? "–", record.validationAccuracy.map(number) ?? "–",
        ]
      }
      cells += [
        String(format: "%.2e", record.learningRate), String(format: "%.1f", record.seconds),
      ]
      return cells
    }
    let table =
      "<details><summary>Every epoch (\(history.count))</summary>"
      + tableHTML(headers: headers, rows: rows, numeric: true) + "</details>"
    return section("curves", "Training curves", [figureHTML(curves), table])
  }

  private func confusionSection() -> [String] {
    let names = evaluation.classNames
    var rows: [String] = []
    let header =
      "<tr><th>true \\ predicted</th>" + names.map { "<th>\(escape($0))</th>" }.joined()
      + "<th class=\"total\">FN</th></tr>"
    for (k, row) in evaluation.confusion.enumerated() {
      let cells = row.enumerated().map { column, count in
        if column == k { return "<td class=\"hit\">\(count)</td>" }
        return count > 0 ? "<td class=\"miss\">\(count)</td>" : "<td>\(count)</td>"
      }
      rows.append(
        "<tr><th>\(escape(names[k]))</th>" + cells.joined()
          + "<td class=\"total\">\(evaluation.perClass[k].falseNegatives)</td></tr>")
    }
    let errors = evaluation.perClass.map(\.falseNegatives).reduce(0, +)
    rows.append(
      "<tr class=\"total\"><th>FP</th>"
        + evaluation.perClass.map { "<td>\($0.falsePositives)</td>" }.joined()
        + "<td>\(errors)</td></tr>")
    let table =
      "<table class=\"matrix\"><thead>\(header)</thead><tbody>\(rows.joined())</tbody></table>"
    return section(
      "confusion", "Confusion matrix",
      [
        "<p>Evaluated on \(escape(evaluationName)). Rows are the true letters, columns the"
          + " predictions; FN counts a row's misses, FP a column's wrong hits.</p>",
        "<div class=\"pair\">" + figureHTML(confusion) + table + "</div>",
      ])
  }

  private func perClassSection() -> [String] {
    let headers = [
      "letter", "precision", "recall", "F1", "support", "sensitivity", "specificity", "TP", "FP",
      "FN",
    ]
    var rows = evaluation.perClass.map { metrics in
      [
        metrics.name, number(metrics.precision), number(metrics.recall), number(metrics.f1),
        String(metrics.support), number(metrics.recall), number(metrics.specificity),
        String(metrics.truePositives), String(metrics.falsePositives),
        String(metrics.falseNegatives),
      ]
    }
    rows.append(
      ["accuracy", "", "", number(evaluation.accuracy), String(evaluation.sampleCount)]
        + Array(repeating: "", count: 5))
    for (name, average) in [
      ("macro avg", evaluation.macroAverage), ("weighted avg", evaluation.weightedAverage),
    ] {
      rows.append(
        [
          name, number(average.precision), number(average.recall), number(average.f1),
          String(average.support), number(average.recall), number(average.specificity),
        ] + Array(repeating: "", count: 3))
    }
    return section(
      "per-class", "Per-class metrics",
      [
        tableHTML(headers: headers, rows: rows, numeric: true),
        "<p>Cohen's kappa: <b>\(number(evaluation.kappa))</b></p>",
      ])
  }

  private func mistakesSection() -> [String] {
    let errors = evaluation.perClass.map(\.falseNegatives).reduce(0, +)
    let content: String
    if let mistakes {
      content = figureHTML(mistakes)
    } else if errors == 0 {
      content = "<p class=\"muted\">The model classified every evaluated image correctly.</p>"
    } else {
      content = "<p class=\"muted\">\(errors) images were misclassified; none is pictured.</p>"
    }
    return section("mistakes", "Most confident mistakes", [content])
  }

  // MARK: - Pieces

  private func section(_ id: String, _ heading: String, _ content: [String]) -> [String] {
    ["<section id=\"\(id)\">", "<h2>\(escape(heading))</h2>"] + content + ["</section>"]
  }

  private func settingsTable(_ rows: [RunStart.Setting]) -> String {
    "<table class=\"settings\"><tbody>"
      + rows.map { "<tr><th>\(escape($0.name))</th><td>\(escape($0.value))</td></tr>" }.joined()
      + "</tbody></table>"
  }

  private func tableHTML(headers: [String], rows: [[String]], numeric: Bool) -> String {
    let head = "<tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
    let body = rows.map { row in
      "<tr><th>\(escape(row.first ?? ""))</th>"
        + row.dropFirst().map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
    }
    let kind = numeric ? " class=\"numbers\"" : ""
    return "<table\(kind)><thead>\(head)</thead><tbody>\(body.joined())</tbody></table>"
  }

  private func figureHTML(_ figure: Figure) -> String {
    let source = "data:image/png;base64," + Data(figure.png).base64EncodedString()
    let caption = figure.caption.isEmpty ? "" : "<figcaption>\(escape(figure.caption))</figcaption>"
    return "<figure><img src=\"\(source)\" width=\"\(figure.width)\" height=\"\(figure.height)\""
      + " alt=\"\(escape(figure.title))\">\(caption)</figure>"
  }

  private func number(_ value: Double) -> String {
    value.isNaN ? "nan" : String(format: "%.4f", value)
  }

  private func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }

  /// Escapes the five characters that are special in HTML text and attribute values.
  func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default: result.append(character)
      }
    }
    return result
  }

  // MARK: - Style

  /// The page's whole style: system fonts, a light theme, tables with tabular figures, pictures
  /// at their own size (scaled down only on narrower windows).
  static let styleSheet = """
    :root { color-scheme: light; --ink: #222; --muted: #666; --line: #ddd; --band: #f5f6f8; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #fff; color: var(--ink);
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
    main { max-width: 1320px; margin: 0 auto; padding: 24px 20px 48px; }
    h1 { font-size: 26px; margin: 0 0 16px; }
    h2 { font-size: 20px; margin: 0 0 12px; padding-bottom: 4px;
      border-bottom: 2px solid var(--line); }
    section { margin: 0 0 36px; }
    p { margin: 8px 0; }
    .muted { color: var(--muted); }
    .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 16px; }
    .card { background: var(--band); border: 1px solid var(--line); border-radius: 6px;
      padding: 10px 16px; min-width: 150px; }
    .card span { display: block; color: var(--muted); font-size: 13px; }
    .card b { font-size: 22px; font-variant-numeric: tabular-nums; }
    table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
    th, td { border: 1px solid var(--line); padding: 3px 10px; }
    thead th { background: var(--band); }
    tbody th { text-align: left; font-weight: 600; }
    table.numbers td, table.matrix td { text-align: right; }
    table.settings th { background: var(--band); width: 14em; }
    table.matrix td.hit { background: #dbe9f6; font-weight: 600; }
    table.matrix td.miss { background: #fde0dd; }
    table.matrix .total, table.matrix tr.total td { background: var(--band); color: #333; }
    .pair { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
    figure { margin: 8px 0; }
    figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
    figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
    details { margin: 8px 0; }
    summary { cursor: pointer; color: var(--muted); }
    """
}
