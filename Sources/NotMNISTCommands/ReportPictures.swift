import Datasets
import Pictures
import TensorCore
import Training

/// The pictures of a report and of `data grid`, drawn from a run's history, an evaluation and
/// image sets with the Pictures module.
enum ReportPictures {
  /// Loss and accuracy per epoch, training against validation, side by side (1280 x 420 px).
  /// - Parameters:
  ///   - history: the finished epochs; epochs without validation are gaps in its curves.
  ///   - font: the font for all text.
  /// - Returns: the picture, or `nil` when there is no epoch to draw.
  static func curves(_ history: [EpochRecord], font: Font) -> Canvas? {
    guard !history.isEmpty else { return nil }
    let hasValidation = history.contains { $0.validationLoss != nil }
    return LineChart.trainingCurves(
      trainLoss: history.map(\.trainLoss),
      validationLoss: hasValidation ? history.map { $0.validationLoss ?? .nan } : [],
      trainAccuracy: history.map(\.trainAccuracy),
      validationAccuracy: hasValidation ? history.map { $0.validationAccuracy ?? .nan } : [],
      epochs: history.map { Double($0.epoch) }, font: font)
  }

  /// The confusion matrix as a heatmap with counts, rows true letters, columns predictions.
  /// - Parameters:
  ///   - report: the evaluation.
  ///   - title: the picture's title.
  ///   - font: the font for all text.
  /// - Returns: the picture.
  static func confusion(_ report: ClassificationReport, title: String, font: Font) -> Canvas {
    Heatmap(counts: report.confusion, labels: report.classNames, title: title).render(font: font)
  }

  /// The misclassified images the model was surest of, labelled "true→predicted" with the
  /// probability of the prediction.
  /// - Parameters:
  ///   - images: the evaluated images with their true labels.
  ///   - predicted: the predicted class of each image.
  ///   - confidence: the probability of each prediction.
  ///   - limit: the most images to show.
  ///   - font: the font for all text.
  /// - Returns: the gallery, or `nil` when the model made no mistake or `limit` is 0.
  /// - Precondition: one prediction and one confidence per image.
  static func mistakes(
    images: ImageSet, predicted: [Int], confidence: [Double], limit: Int, font: Font
  ) -> Canvas? {
    precondition(
      predicted.count == images.count && confidence.count == images.count,
      "mistakes needs one prediction per image: \(images.count) images, \(predicted.count)"
        + " predictions, \(confidence.count) probabilities")
    let wrong = images.labels.indices.filter { Int(images.labels[$0]) != predicted[$0] }
    guard !wrong.isEmpty, limit > 0 else { return nil }
    let grid = ImageGrid.mostConfidentMistakes(
      images: wrong.map { Array(images.pixels(at: $0)) },
      trueLabels: wrong.map { Int(images.labels[$0]) },
      predictedLabels: wrong.map { predicted[$0] },
      probabilities: wrong.map { confidence[$0] }, limit: limit)
    return grid.render(font: font)
  }

  /// `count` images drawn at random without repeats, each with its letter.
  /// - Parameters:
  ///   - images: the data set.
  ///   - count: how many to show (fewer when the set is smaller).
  ///   - seed: picks the images; the same seed picks the same ones.
  ///   - title: the picture's title.
  ///   - font: the font for all text.
  /// - Returns: the grid, 10 images per row, each 84 px.
  static func sample(
    _ images: ImageSet, count: Int, seed: UInt64, title: String, font: Font
  ) -> Canvas {
    var generator = SeededGenerator(seed: seed)
    return ImageGrid.randomSample(
      pixels: images.pixels, labels: images.labels.map(Int.init), count: count, title: title,
      using: &generator
    ).render(font: font)
  }

  /// The duplicates with conflicting letters: each content once per letter it carries,
  /// captioned with its group number and how many images share it.
  /// - Parameters:
  ///   - images: the data set the flags were found in.
  ///   - flagged: its flagged images.
  ///   - limit: the most groups to show.
  ///   - font: the font for all text.
  /// - Returns: the grid, or `nil` when there is no conflict.
  static func conflicts(
    _ images: ImageSet, flagged: FlaggedImages, limit: Int, font: Font
  ) -> Canvas? {
    let groups = flagged.conflicts.prefix(limit)
    guard !groups.isEmpty else { return nil }
    var indices: [Int] = []
    var captions: [String] = []
    for (number, group) in groups.enumerated() {
      indices += group.representatives
      captions += group.representatives.map { _ in "#\(number + 1), \(group.imageCount) images" }
    }
    let shown = groups.count < flagged.conflicts.count ? ", first \(groups.count) shown" : ""
    return ImageGrid(
      images: indices.map { Array(images.pixels(at: $0)) },
      labels: indices.map { Heatmap.letters[Int(images.labels[$0])] }, captions: captions,
      title: "Same pixels under different letters: "
        + "\(plural(flagged.conflicts.count, "content"))\(shown)"
    ).render(font: font)
  }

  /// The blank images (every pixel the same), one tile for each pixel value and letter,
  /// captioned with the value and how many images share it.
  /// - Parameters:
  ///   - images: the data set the flags were found in.
  ///   - flagged: its flagged images.
  ///   - limit: the most tiles to show.
  ///   - font: the font for all text.
  /// - Returns: the grid, or `nil` when there is no blank image.
  static func blanks(_ images: ImageSet, flagged: FlaggedImages, limit: Int, font: Font)
    -> Canvas?
  {
    var groups: [(first: Int, count: Int)] = []
    var groupOfKind: [Int: Int] = [:]
    for index in flagged.blankImages {
      let kind = Int(images.pixels(at: index).first ?? 0) * 16 + Int(images.labels[index])
      if let group = groupOfKind[kind] {
        groups[group].count += 1
      } else {
        groupOfKind[kind] = groups.count
        groups.append((index, 1))
      }
    }
    let shown = groups.prefix(limit)
    guard !shown.isEmpty else { return nil }
    let more = shown.count < groups.count ? ", first \(shown.count) shown" : ""
    return ImageGrid(
      images: shown.map { Array(images.pixels(at: $0.first)) },
      labels: shown.map { Heatmap.letters[Int(images.labels[$0.first])] },
      captions: shown.map { "all \(images.pixels(at: $0.first).first ?? 0), \($0.count)×" },
      title: "Blank images (every pixel equal): \(plural(flagged.blankImages.count, "image")),"
        + " \(plural(groups.count, "kind")) by value and letter\(more)"
    ).render(font: font)
  }

  /// "1 image", "2 images".
  static func plural(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)" + (count == 1 ? "" : "s")
  }

  /// Pictures one above the other on white, left-aligned, 8 px apart.
  /// - Parameter pictures: at least one picture.
  /// - Returns: a picture as wide as the widest.
  static func stacked(_ pictures: [Canvas]) -> Canvas {
    precondition(!pictures.isEmpty, "stacked needs at least one picture")
    let gap = 8
    let height = pictures.map(\.height).reduce(0, +) + gap * (pictures.count - 1)
    var canvas = Canvas(width: pictures.map(\.width).max() ?? 1, height: height)
    var y = 0
    for picture in pictures {
      canvas.draw(picture, x: 0, y: y)
      y += picture.height + gap
    }
    return canvas
  }
}
