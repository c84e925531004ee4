/// Classification metrics from true and predicted labels: confusion matrix, per-class
/// precision, recall, F1, specificity, accuracy and Cohen's kappa.
///
/// For class `k` with `TP`, `FP`, `FN`, `TN` counted one-vs-rest:
/// ```
/// precision   = TP / (TP + FP)        recall (sensitivity) = TP / (TP + FN)
/// f1          = 2·TP / (2·TP + FP + FN)
/// specificity = TN / (TN + FP)        support = TP + FN
/// accuracy    = Σ TP / n              kappa = (p_o − p_e) / (1 − p_e)
/// ```
/// where `p_o` is the accuracy and `p_e = Σ_k rowSum_k · colSum_k / n²`. A ratio whose
/// denominator is zero is 0, like scikit-learn's default `zero_division="warn"`. Kappa is NaN when
/// `p_e = 1` (every label and prediction is the same class), as scikit-learn returns.
/// Macro averages weigh every class equally (classes absent from both label lists included);
/// weighted averages weigh each class by its support.
public struct ClassificationReport: Sendable, Equatable {
  /// The metrics of one class, counted one-vs-rest.
  public struct ClassMetrics: Sendable, Equatable {
    /// The class name, such as `A`.
    public var name: String
    /// Samples of this class predicted as this class.
    public var truePositives: Int
    /// Samples of other classes predicted as this class (the confusion matrix column minus TP).
    public var falsePositives: Int
    /// Samples of this class predicted as another class (the row minus TP).
    public var falseNegatives: Int
    /// Samples of other classes not predicted as this class.
    public var trueNegatives: Int
    /// `TP / (TP + FP)`, or 0 when the class is never predicted.
    public var precision: Double
    /// `TP / (TP + FN)`, also called sensitivity, or 0 when the class is absent.
    public var recall: Double
    /// `2·TP / (2·TP + FP + FN)`, or 0 when that denominator is 0.
    public var f1: Double
    /// `TN / (TN + FP)`, or 0 when that denominator is 0.
    public var specificity: Double
    /// The number of samples of this class (`TP + FN`).
    public var support: Int
  }

  /// An average of per-class metrics.
  public struct Average: Sendable, Equatable {
    /// The averaged precision.
    public var precision: Double
    /// The averaged recall (sensitivity).
    public var recall: Double
    /// The averaged F1 score.
    public var f1: Double
    /// The averaged specificity.
    public var specificity: Double
    /// The total support.
    public var support: Int
  }

  /// The letters `A` … `J` of the ten notMNIST classes, label 0 first.
  public static let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]

  /// The class names, label 0 first.
  public let classNames: [String]
  /// `confusion[actual][predicted]`: counts with actual classes down the rows.
  public let confusion: [[Int]]
  /// The metrics of each class, label 0 first.
  public let perClass: [ClassMetrics]
  /// The fraction of samples predicted correctly.
  public let accuracy: Double
  /// Cohen's kappa; NaN when chance agreement is 1.
  public let kappa: Double
  /// The unweighted mean over classes.
  public let macroAverage: Average
  /// The mean over classes weighted by support.
  public let weightedAverage: Average

  /// The number of samples.
  public var sampleCount: Int { macroAverage.support }

  /// Computes the report from labels.
  /// - Parameters:
  ///   - trueLabels: the actual class of each sample, in `0..<classNames.count`.
  ///   - predictedLabels: the predicted class of each sample, same count and range.
  ///   - classNames: one name per class; default ``letters``.
  /// - Precondition: both lists have the same, non-zero count and every label is in range.
  public init(trueLabels: [Int], predictedLabels: [Int], classNames: [String] = letters) {
    let classCount = classNames.count
    precondition(
      trueLabels.count == predictedLabels.count,
      "ClassificationReport needs as many predictions as labels, got \(trueLabels.count) labels "
        + "and \(predictedLabels.count) predictions")
    precondition(!trueLabels.isEmpty, "ClassificationReport needs at least one sample")
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
    for (actual, predicted) in zip(trueLabels, predictedLabels) {
      precondition(
        (0..<classCount).contains(actual) && (0..<classCount).contains(predicted),
        "ClassificationReport labels must be in 0..<\(classCount), got \(actual) and \(predicted)")
      confusion[actual][predicted] += 1
    }
    self.init(confusion: confusion, classNames: classNames)
  }

  /// Computes the report from a confusion matrix.
  /// - Parameters:
  ///   - confusion: `[actual][predicted]` counts, square, one row per class.
  ///   - classNames: one name per class; default ``letters``.
  /// - Precondition: the matrix is square with one row per name, non-negative, and not all zero.
  public init(confusion: [[Int]], classNames: [String] = letters) {
    let classCount = classNames.count
    precondition(
      confusion.count == classCount && confusion.allSatisfy { $0.count == classCount },
      "ClassificationReport needs a \(classCount)x\(classCount) confusion matrix")
    precondition(
      confusion.joined().allSatisfy { $0 >= 0 },
      "ClassificationReport confusion counts must be non-negative")
    let total = confusion.joined().reduce(0, +)
    precondition(total > 0, "ClassificationReport needs at least one sample")
    let rowSums = confusion.map { $0.reduce(0, +) }
    let columnSums = (0..<classCount).map { column in confusion.reduce(0) { $0 + $1[column] } }

    var perClass: [ClassMetrics] = []
    for k in 0..<classCount {
      let tp = confusion[k][k]
      let fp = columnSums[k] - tp
      let fn = rowSums[k] - tp
      let tn = total - tp - fp - fn
      perClass.append(
        ClassMetrics(
          name: classNames[k], truePositives: tp, falsePositives: fp, falseNegatives: fn,
          trueNegatives: tn, precision: Self.ratio(tp, tp + fp), recall: Self.ratio(tp, tp + fn),
          f1: Self.ratio(2 * tp, 2 * tp + fp + fn), specificity: Self.ratio(tn, tn + fp),
          support: rowSums[k]))
    }

    let correct = (0..<classCount).reduce(0) { $0 + confusion[$1][$1] }
    let observed = Double(correct) / Double(total)
    // Chance agreement in integers first, so p_e = 1 is detected exactly.
    let chanceProduct = zip(rowSums, columnSums).reduce(0) { $0 + $1.0 * $1.1 }
    let chance = Double(chanceProduct) / (Double(total) * Double(total))
    self.classNames = classNames
    self.confusion = confusion
    self.perClass = perClass
    accuracy = observed
    kappa = chanceProduct == total * total ? .nan : (observed - chance) / (1 - chance)
    macroAverage = Self.average(perClass) { _ in 1 }
    weightedAverage = Self.average(perClass) { Double($0.support) }
  }

  /// Two reports are equal when their counts and names are; kappa may be NaN.
  public static func == (lhs: ClassificationReport, rhs: ClassificationReport) -> Bool {
    lhs.classNames == rhs.classNames && lhs.confusion == rhs.confusion
  }

  private static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
    denominator == 0 ? 0 : Double(numerator) / Double(denominator)
  }

  private static func average(
    _ classes: [ClassMetrics], weight: (ClassMetrics) -> Double
  ) -> Average {
    let totalWeight = classes.reduce(0) { $0 + weight($1) }
    func mean(_ metric: (ClassMetrics) -> Double) -> Double {
      totalWeight == 0 ? 0 : classes.reduce(0) { $0 + weight($1) * metric($1) } / totalWeight
    }
    return Average(
      precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1),
      specificity: mean(\.specificity), support: classes.reduce(0) { $0 + $1.support })
  }
}
