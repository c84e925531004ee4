import Foundation
import TensorCore
import Testing
import TestSupport

@testable import Training

@Suite struct ClassificationReportTests {
  /// Three classes; worked by hand below.
  static let tiny = ClassificationReport(
    trueLabels: [0, 0, 0, 1, 1, 2], predictedLabels: [0, 0, 1, 1, 2, 2],
    classNames: ["A", "B", "C"])

  @Test func tinyCaseMatchesHandWorkedValues() {
    let report = Self.tiny

    // Rows are actual classes: A is missed once (as B), B once (as C).
    #expect(report.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    // A: TP 2, FP 0, FN 1, TN 3. B: TP 1, FP 1, FN 1, TN 3. C: TP 1, FP 1, FN 0, TN 4.
    #expect(report.perClass.map(\.precision) == [1, 0.5, 0.5])
    #expect(report.perClass.map(\.recall) == [2.0 / 3, 0.5, 1])
    #expect(report.perClass.map(\.f1) == [0.8, 0.5, 2.0 / 3])
    #expect(report.perClass.map(\.specificity) == [1, 0.75, 0.8])
    #expect(report.perClass.map(\.support) == [3, 2, 1])
    #expect(report.accuracy == 4.0 / 6)
    // p_o = 2/3, p_e = (3·2 + 2·2 + 1·2) / 36 = 1/3, so kappa = (1/3) / (2/3).
    #expect(abs(report.kappa - 0.5) < 1e-15)
    #expect(abs(report.macroAverage.precision - 2.0 / 3) < 1e-15)
    #expect(abs(report.macroAverage.f1 - 59.0 / 90) < 1e-15)
    #expect(abs(report.weightedAverage.precision - 0.75) < 1e-15)
    #expect(abs(report.weightedAverage.f1 - 61.0 / 90) < 1e-15)
    #expect(report.macroAverage.support == 6)
  }

  @Test func classNeverPredictedAndClassAbsentScoreZeroExceptSpecificity() {
    // B never occurs and is never predicted; C occurs once and is never predicted correctly.
    let report = ClassificationReport(
      trueLabels: [0, 0, 0, 2], predictedLabels: [0, 0, 2, 0], classNames: ["A", "B", "C"])
    let b = report.perClass[1]
    let c = report.perClass[2]

    #expect([b.precision, b.recall, b.f1] == [0, 0, 0])
    #expect(b.support == 0)
    #expect(b.specificity == 1)
    #expect([c.precision, c.recall, c.f1] == [0, 0, 0])
    #expect(c.specificity == 2.0 / 3)
    #expect(report.macroAverage.recall == (2.0 / 3) / 3)
  }

  @Test func kappaIsNaNWhenEveryLabelAndPredictionIsOneClass() {
    let report = ClassificationReport(trueLabels: [3, 3, 3], predictedLabels: [3, 3, 3])

    #expect(report.kappa.isNaN)
    #expect(report.accuracy == 1)
    #expect(report.json().contains("\"kappa\":null"))
    #expect(report.text().hasSuffix("Cohen's kappa: nan\n"))
  }

  @Test func confusionMatrixInitializerAgreesWithLabels() {
    #expect(
      ClassificationReport(confusion: Self.tiny.confusion, classNames: ["A", "B", "C"]) == Self.tiny
    )
  }
}

// MARK: - Agreement with scikit-learn

extension ClassificationReportTests {
  struct LabelCase: Sendable, CustomStringConvertible {
    let description: String
    let classCount: Int
    let trueLabels: [Int]
    let predictedLabels: [Int]
  }

  /// 400 samples over ten classes, predicted right about 70% of the time.
  static func randomCase() -> LabelCase {
    var generator = SeededGenerator(seed: 2017)
    var trueLabels: [Int] = []
    var predictedLabels: [Int] = []
    for _ in 0..<400 {
      let label = Int(generator.next() % 10)
      trueLabels.append(label)
      predictedLabels.append(generator.nextUnitFloat() < 0.7 ? label : Int(generator.next() % 10))
    }
    return LabelCase(
      description: "random", classCount: 10, trueLabels: trueLabels,
      predictedLabels: predictedLabels)
  }

  static let labelCases: [LabelCase] = [
    randomCase(),
    LabelCase(
      description: "class never predicted", classCount: 10,
      trueLabels: [0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9],
      predictedLabels: [0, 0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 8]),
    LabelCase(
      description: "class absent and never predicted", classCount: 10,
      trueLabels: [0, 0, 2, 3, 3, 4, 5, 6, 7, 8, 9],
      predictedLabels: [0, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9]),
  ]

  @Test(arguments: labelCases)
  func agreesWithScikitLearn(_ labelCase: LabelCase) throws {
    let script = """
      import json, sys, warnings
      from sklearn.metrics import (accuracy_score, cohen_kappa_score, confusion_matrix,
                                   precision_recall_fscore_support)
      warnings.simplefilter("ignore")
      labels = list(range(int(sys.argv[1])))
      y = [int(v) for v in sys.argv[2].split(",")]
      p = [int(v) for v in sys.argv[3].split(",")]
      per = precision_recall_fscore_support(y, p, labels=labels)
      avg = {a: list(precision_recall_fscore_support(y, p, labels=labels, average=a)[:3])
             for a in ("macro", "weighted")}
      print(json.dumps({
          "confusion": confusion_matrix(y, p, labels=labels).tolist(),
          "precision": per[0].tolist(), "recall": per[1].tolist(), "f1": per[2].tolist(),
          "support": per[3].tolist(), "accuracy": accuracy_score(y, p),
          "kappa": cohen_kappa_score(y, p, labels=labels), "averages": avg}))
      """
    let arguments = [
      String(labelCase.classCount), labelCase.trueLabels.map(String.init).joined(separator: ","),
      labelCase.predictedLabels.map(String.init).joined(separator: ","),
    ]
    let expected = try #require(Python.json(script, arguments: arguments) as? [String: Any])
    let names = (0..<labelCase.classCount).map { "class\($0)" }
    let report = ClassificationReport(
      trueLabels: labelCase.trueLabels, predictedLabels: labelCase.predictedLabels,
      classNames: names)
    let averages = try #require(expected["averages"] as? [String: [Double]])

    #expect(report.confusion == expected["confusion"] as? [[Int]])
    #expect(report.perClass.map(\.support) == expected["support"] as? [Int])
    expectClose(report.perClass.map(\.precision), expected["precision"])
    expectClose(report.perClass.map(\.recall), expected["recall"])
    expectClose(report.perClass.map(\.f1), expected["f1"])
    expectClose([report.accuracy, report.kappa], [expected["accuracy"], expected["kappa"]])
    let macro = report.macroAverage
    let weighted = report.weightedAverage
    expectClose([macro.precision, macro.recall, macro.f1], averages["macro"])
    expectClose([weighted.precision, weighted.recall, weighted.f1], averages["weighted"])
  }

  private func expectClose(
    _ actual: [Double], _ expected: Any?, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let values = (expected as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
    #expect(values.count == actual.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual, values) {
      #expect(abs(a - e) <= 1e-12, "\(a) vs \(e)", sourceLocation: sourceLocation)
    }
  }
}

// MARK: - Renderings

extension ClassificationReportTests {
  @Test func textShowsMatrixWithMissesThenTableThenKappa() {
    let expected = """
      Confusion matrix (rows: actual, columns: predicted)

          A  B  C FN
       A  2  1  0  1
       B  0  1  1  1
       C  0  0  1  0
      FP  0  1  1  2

                    precision    recall  f1-score   support sensitivity specificity

                 A     1.0000    0.6667    0.8000         3      0.6667      1.0000
                 B     0.5000    0.5000    0.5000         2      0.5000      0.7500
                 C     0.5000    1.0000    0.6667         1      1.0000      0.8000

          accuracy                         0.6667         6
         macro avg     0.6667    0.7222    0.6556         6      0.7222      0.8500
      weighted avg     0.7500    0.6667    0.6778         6      0.6667      0.8833

      Cohen's kappa: 0.5000

      """
    #expect(Self.tiny.text() == expected)
  }

  @Test func textLabelsTenLettersAndWidensCellsForLargeCounts() {
    let labels = (0..<1000).map { $0 % 10 }
    let report = ClassificationReport(trueLabels: labels, predictedLabels: labels)
    let lines = report.text().split(separator: "\n", omittingEmptySubsequences: false)

    #expect(lines[2] == "      A    B    C    D    E    F    G    H    I    J   FN")
    #expect(lines[3] == " A  100    0    0    0    0    0    0    0    0    0    0")
    #expect(lines[13] == "FP    0    0    0    0    0    0    0    0    0    0    0")
  }

  @Test func jsonHoldsTheBriefsKeysAndValues() throws {
    let object = try #require(
      JSONSerialization.jsonObject(with: Data(Self.tiny.json().utf8)) as? [String: Any])
    let perClass = try #require(object["perClass"] as? [[String: Any]])

    #expect((object["accuracy"] as? Double).map { abs($0 - 4.0 / 6) < 1e-15 } == true)
    #expect((object["kappa"] as? Double).map { abs($0 - 0.5) < 1e-15 } == true)
    #expect(object["confusion"] as? [[Int]] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    #expect(perClass.map { $0["letter"] as? String } == ["A", "B", "C"])
    #expect(perClass.map { $0["support"] as? Int } == [3, 2, 1])
    #expect(perClass.map { $0["precision"] as? Double } == [1, 0.5, 0.5])
    #expect(perClass.map { $0["specificity"] as? Double } == [1, 0.75, 0.8])
    #expect(
      Set(perClass[0].keys) == ["letter", "precision", "recall", "f1", "support", "specificity"])
  }

  @Test func csvHasOneRowPerClassThenSummaryRows() {
    let expected = """
      class,precision,recall,f1,support,sensitivity,specificity
      A,1.0,0.6666666666666666,0.8,3,0.6666666666666666,1.0
      B,0.5,0.5,0.5,2,0.5,0.75
      C,0.5,1.0,0.6666666666666666,1,1.0,0.8
      accuracy,,,0.6666666666666666,6,,
      macro avg,0.6666666666666666,0.7222222222222222,0.6555555555555556,6,0.7222222222222222,0.85
      weighted avg,0.75,0.6666666666666666,0.6777777777777779,6,0.6666666666666666,0.8833333333333333
      kappa,,,0.49999999999999994,6,,

      """
    #expect(Self.tiny.csv() == expected)
    #expect(Self.tiny.confusionCSV() == "actual\\predicted,A,B,C\nA,2,1,0\nB,0,1,1\nC,0,0,1\n")
  }
}

// MARK: - Files

extension ClassificationReportTests {
  @Test func writesEachRenderingToTheLogDirectory() throws {
    let directory = try TemporaryDirectory()
    let urls = try Self.tiny.write(to: directory.url, stem: "test_report")

    #expect(
      urls.map(\.lastPathComponent) == [
        "test_report.txt", "test_report.json", "test_report.csv", "test_report_confusion.csv",
      ])
    #expect(try String(contentsOf: urls[0], encoding: .utf8) == Self.tiny.text())
    #expect(try String(contentsOf: urls[1], encoding: .utf8) == Self.tiny.json())
    #expect(try String(contentsOf: urls[2], encoding: .utf8) == Self.tiny.csv())
    #expect(try String(contentsOf: urls[3], encoding: .utf8) == Self.tiny.confusionCSV())
  }
}
