import Foundation

extension ImageGrid {
  /// A gallery of the most confident mistakes: the misclassified images whose predicted class
  /// had the highest probability, most confident first.
  ///
  /// Each image is labelled "true→predicted" (e.g. "C→G") and captioned with the probability the
  /// model gave its (wrong) prediction, with two decimals (e.g. "p 0.97"). Ties keep the input
  /// order.
  /// - Parameters:
  ///   - images: 784 bytes (28 x 28) per image.
  ///   - trueLabels: the true class of each image, 0 ..< letters.count.
  ///   - predictedLabels: the predicted class of each image.
  ///   - probabilities: the probability of each predicted class, 0...1.
  ///   - limit: the most images to show; 30 by default.
  ///   - letters: the class names; "A" ... "J" by default.
  ///   - columns: images per row; 10 by default.
  /// - Returns: a grid of at most `limit` mistakes (empty if there are none).
  /// - Precondition: the four arrays have the same length and labels are valid class indices.
  public static func mostConfidentMistakes(
    images: [[UInt8]], trueLabels: [Int], predictedLabels: [Int], probabilities: [Double],
    limit: Int = 30, letters: [String] = Heatmap.letters, columns: Int = 10
  ) -> ImageGrid {
    precondition(
      [trueLabels.count, predictedLabels.count, probabilities.count].allSatisfy {
        $0 == images.count
      },
      "mostConfidentMistakes needs one true label, prediction and probability per image; got "
        + "\(images.count) images, \(trueLabels.count) true labels, \(predictedLabels.count) "
        + "predictions, \(probabilities.count) probabilities")
    precondition(
      (trueLabels + predictedLabels).allSatisfy { letters.indices.contains($0) },
      "mostConfidentMistakes labels must be in 0..<\(letters.count)")

    // NaN sorts last, so the order stays a strict weak ordering.
    func confidence(_ index: Int) -> Double {
      probabilities[index].isNaN ? -.infinity : probabilities[index]
    }
    let chosen = images.indices
      .filter { trueLabels[$0] != predictedLabels[$0] }
      .enumerated()
      .sorted { a, b in
        let (pa, pb) = (confidence(a.element), confidence(b.element))
        return pa != pb ? pa > pb : a.offset < b.offset
      }
      .prefix(max(0, limit))
      .map(\.element)
    return ImageGrid(
      images: chosen.map { images[$0] },
      labels: chosen.map { letters[trueLabels[$0]] + "→" + letters[predictedLabels[$0]] },
      captions: chosen.map { String(format: "p %.2f", probabilities[$0]) },
      title: "Most confident mistakes (true→predicted, probability of the prediction)",
      columns: columns)
  }
}
