import Datasets
import Foundation
import NeuralNet
import Pictures
import TensorCore
import Training

/// Assembles the HTML report of a model evaluated on labelled images, for `notmnist report` and
/// the end of `notmnist train`.
enum ModelReport {
  /// The report's file name inside its folder.
  static let fileName = "report.html"

  /// What a report is made from.
  struct Inputs {
    /// The model file, as the user named it.
    var modelPath: String
    /// The model.
    var model: Model
    /// The settings and history stored with the model.
    var record: TrainingRecord
    /// The evaluated images with their true labels.
    var evaluation: ImageSet
    /// What the evaluated images are, such as "t10k-images-idx3-ubyte.gz".
    var evaluationName: String
    /// The model's `[N, classes]` probabilities for `evaluation`, from `Predictor`.
    var probabilities: Tensor
    /// The data pictured in the sample grid and searched for flagged images.
    var data: ImageSet
    /// What that data is, such as "notMNIST_large_sample.tar.gz (training)".
    var dataName: String
    /// How many random images to show; 50 by default.
    var sampleCount = 50
    /// The most mistakes to show; 30 by default.
    var mistakeLimit = 30
    /// Picks the random images; 0 by default.
    var seed: UInt64 = 0
  }

  /// Evaluates the predictions and draws the pictures.
  /// - Parameter inputs: the model, data and predictions.
  /// - Returns: the page, ready for ``HTMLReport/html()``.
  /// - Throws: `CommandLineError.failure` when no font is installed or a picture cannot be
  ///   encoded.
  /// - Precondition: one row of probabilities per evaluated image, and at least one image.
  static func build(_ inputs: Inputs) throws(CommandLineError) -> HTMLReport {
    let evaluation = inputs.evaluation
    let classCount = inputs.probabilities.shape[1]
    precondition(
      inputs.probabilities.shape[0] == evaluation.count,
      "ModelReport needs one row of probabilities per image: \(evaluation.count) images, "
        + "\(inputs.probabilities.shape[0]) rows")
    let predicted = Predictor.classes(of: inputs.probabilities)
    let confidence = predicted.enumerated().map { row, predictedClass in
      Double(inputs.probabilities.scalars[row * classCount + predictedClass])
    }
    let report = ClassificationReport(
      trueLabels: evaluation.labels.map(Int.init), predictedLabels: predicted)
    let flagged = FlaggedImages(inputs.data)
    let font = try standardFont()

    let curves = try ReportPictures.curves(inputs.record.history, font: font).map {
      canvas throws(CommandLineError) in
      try figure(canvas, "Training curves: loss and accuracy per epoch")
    }
    let mistakes = try ReportPictures.mistakes(
      images: evaluation, predicted: predicted, confidence: confidence,
      limit: inputs.mistakeLimit, font: font
    ).map { canvas throws(CommandLineError) in
      try figure(
        canvas, "Most confident mistakes",
        caption: "true→predicted letter, p = the"
          + " probability the model gave its prediction")
    }
    let samples = ReportPictures.sample(
      inputs.data, count: inputs.sampleCount, seed: inputs.seed,
      title: "\(min(inputs.sampleCount, inputs.data.count)) random images of \(inputs.dataName)",
      font: font)
    var flaggedFigures: [HTMLReport.Figure] = []
    if let conflicts = ReportPictures.conflicts(
      inputs.data, flagged: flagged, limit: 20, font: font)
    {
      flaggedFigures.append(try figure(conflicts, "Duplicates with conflicting letters"))
    }
    if let blanks = ReportPictures.blanks(inputs.data, flagged: flagged, limit: 30, font: font) {
      flaggedFigures.append(try figure(blanks, "Blank images"))
    }

    return HTMLReport(
      title: "notMNIST model report: \(URL(fileURLWithPath: inputs.modelPath).lastPathComponent)",
      overview: overview(inputs), settings: inputs.record.settings,
      history: inputs.record.history, curves: curves,
      evaluationName: "\(inputs.evaluationName) (\(evaluation.count) images)",
      evaluation: report,
      confusion: try figure(
        ReportPictures.confusion(report, title: "Confusion matrix", font: font),
        "Confusion matrix heatmap"),
      mistakes: mistakes,
      samples: try figure(samples, "Random images of the data"),
      flagged: flaggedFigures,
      flaggedSummary: "\(inputs.dataName), \(inputs.data.count) images. Pixel contents that occur"
        + " under more than one letter: \(flagged.conflicts.count). Blank images (every pixel"
        + " equal): \(flagged.blankImages.count).")
  }

  /// Writes the page as `report.html` in `directory`, creating the folder, atomically.
  /// - Parameters:
  ///   - report: the page.
  ///   - directory: the folder.
  /// - Returns: the written file.
  /// - Throws: `CommandLineError.failure` naming the folder or file that cannot be written.
  @discardableResult
  static func write(_ report: HTMLReport, to directory: URL) throws(CommandLineError) -> URL {
    let url = directory.appendingPathComponent(fileName)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .failure("\(directory.path): cannot create the folder: \(error.localizedDescription)")
    }
    do {
      try AtomicFile.write(Data(report.html().utf8), to: url)
    } catch {
      throw .failure(error.description)
    }
    return url
  }

  // MARK: - Pieces

  /// The overview rows: model file, architecture and size, evaluated and pictured data.
  private static func overview(_ inputs: Inputs) -> [RunStart.Setting] {
    let parameterCount = inputs.model.parameters.reduce(0) { $0 + $1.count }
    return [
      RunStart.Setting(name: "model file", value: inputs.modelPath),
      RunStart.Setting(
        name: "architecture",
        value: "\(inputs.model.architecture.name), \(parameterCount) parameters"),
      RunStart.Setting(
        name: "evaluated on", value: "\(inputs.evaluationName), \(inputs.evaluation.count) images"),
      RunStart.Setting(
        name: "pictured data", value: "\(inputs.dataName), \(inputs.data.count) images"),
    ]
  }

  /// The standard font, or a failure that says how to install one.
  static func standardFont() throws(CommandLineError) -> Font {
    do {
      return try Font.standard()
    } catch {
      throw .failure(error.description)
    }
  }

  /// Encodes a picture for the page.
  private static func figure(_ canvas: Canvas, _ title: String, caption: String = "")
    throws(CommandLineError) -> HTMLReport.Figure
  {
    do {
      return HTMLReport.Figure(
        title: title, png: try canvas.pngData(), width: canvas.width, height: canvas.height,
        caption: caption)
    } catch {
      throw .failure(error.description)
    }
  }
}
