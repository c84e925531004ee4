import Foundation
import Pictures
import Testing
import Training

@testable import NotMNISTCommands

@Suite struct HTMLReportTests {
  /// A flat picture of the given size.
  static func figure(_ title: String, width: Int = 4, height: Int = 3) throws -> HTMLReport.Figure {
    let canvas = Canvas(width: width, height: height, background: .black)
    return HTMLReport.Figure(
      title: title, png: try canvas.pngData(), width: width, height: height)
  }

  /// Four samples: A right, A taken for B, B right, C taken for B.
  static let evaluation = ClassificationReport(
    trueLabels: [0, 0, 1, 2], predictedLabels: [0, 1, 1, 1])

  static func page(
    mistakes: HTMLReport.Figure?, history: [EpochRecord] = [], curves: HTMLReport.Figure? = nil
  ) throws -> HTMLReport {
    HTMLReport(
      title: "Report <for> \"m\" & co",
      overview: [RunStart.Setting(name: "model file", value: "a&b.safetensors")],
      settings: [], history: history, curves: curves, evaluationName: "t10k (4 images)",
      evaluation: evaluation, confusion: try figure("Confusion"), mistakes: mistakes,
      samples: try figure("Samples", width: 5, height: 5), flagged: [],
      flaggedSummary: "nothing flagged")
  }

  @Test func sectionsComeInOrderAndEveryPictureIsAnEmbeddedPNG() throws {
    let page = try Self.page(
      mistakes: try Self.figure("Mistakes"),
      history: [
        EpochRecord(
          epoch: 1, trainLoss: 1, trainAccuracy: 0.5, validationLoss: 0.75,
          validationAccuracy: 0.625, learningRate: 0.001, seconds: 1.25)
      ],
      curves: try Self.figure("Curves"))
    let html = page.html()

    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"))
    #expect(html.hasSuffix("</main>\n</body>\n</html>\n"))
    let ids = [
      "overview", "settings", "curves", "confusion", "per-class", "mistakes", "samples",
      "flagged",
    ]
    let offsets = ids.map { html.range(of: "<section id=\"\($0)\">")?.lowerBound }
    #expect(
      offsets.allSatisfy { $0 != nil },
      "missing a section: \(zip(ids, offsets).filter { $0.1 == nil })")
    #expect(offsets.compactMap { $0 } == offsets.compactMap { $0 }.sorted())

    #expect(page.figures.map(\.title) == ["Curves", "Confusion", "Mistakes", "Samples"])
    #expect(html.components(separatedBy: "<img ").count - 1 == 4)
    for figure in page.figures {
      let source = "data:image/png;base64," + Data(figure.png).base64EncodedString()
      #expect(
        html.contains(
          "<img src=\"\(source)\" width=\"\(figure.width)\" height=\"\(figure.height)\""
            + " alt=\"\(figure.title)\">"))
    }
    #expect(!html.contains("http:") && !html.contains("https:") && !html.contains("<script"))
    #expect(html.contains("<td>0.7500</td><td>0.6250</td><td>1.00e-03</td><td>1.2</td>"))
  }

  @Test func confusionTableHasFalseNegativeColumnAndFalsePositiveRow() throws {
    let html = try Self.page(mistakes: nil).html()

    let zeros = String(repeating: "<td>0</td>", count: 8)
    #expect(
      html.contains(
        "<tr><th>A</th><td class=\"hit\">1</td><td class=\"miss\">1</td>\(zeros)"
          + "<td class=\"total\">1</td></tr>"))
    #expect(
      html.contains(
        "<tr class=\"total\"><th>FP</th><td>0</td><td>2</td>"
          + String(repeating: "<td>0</td>", count: 8) + "<td>2</td></tr>"))
  }

  @Test func perClassTableCarriesEveryMetric() throws {
    let html = try Self.page(mistakes: nil).html()

    // B: TP 1, FP 2, FN 0; precision 1/3, recall 1, F1 0.5, specificity 1/3.
    #expect(
      html.contains(
        "<tr><th>B</th><td>0.3333</td><td>1.0000</td><td>0.5000</td><td>1</td><td>1.0000</td>"
          + "<td>0.3333</td><td>1</td><td>2</td><td>0</td></tr>"))
    #expect(html.contains("<tr><th>accuracy</th><td></td><td></td><td>0.5000</td><td>4</td>"))
    #expect(html.contains("<div class=\"card\"><span>accuracy</span><b>50.00%</b></div>"))
    #expect(html.contains("<div class=\"card\"><span>mistakes</span><b>2</b></div>"))
    // p_o = 1/2, p_e = (2·1 + 1·3 + 1·0) / 16 = 5/16, kappa = (8 - 5) / (16 - 5) = 3/11.
    #expect(html.contains("<p>Cohen's kappa: <b>0.2727</b></p>"))
  }

  @Test func textIsEscaped() throws {
    let html = try Self.page(mistakes: nil).html()

    #expect(html.contains("<title>Report &lt;for&gt; &quot;m&quot; &amp; co</title>"))
    #expect(html.contains("<td>a&amp;b.safetensors</td>"))
    #expect(!html.contains("<for>"))
  }

  @Test func missingPartsAreSaidInWords() throws {
    let html = try Self.page(mistakes: nil).html()

    #expect(html.contains("The model file records no training settings."))
    #expect(html.contains("The model file records no epoch history."))
    #expect(html.contains("2 images were misclassified; none is pictured."))
    #expect(html.components(separatedBy: "<img ").count - 1 == 2)
  }
}
