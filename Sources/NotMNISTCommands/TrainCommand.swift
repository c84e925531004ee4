import Datasets
import Foundation
import NeuralNet
import Optimizers
import Pictures
import TensorCore
import Training

/// `notmnist train`: the reference experiment on the user's data, with progress, TensorBoard
/// logs, checkpoints, the best model and a final report.
enum TrainCommand: Command {
  static let name = "train"
  static let abstract =
    "Train the reference model (RMSprop, batch 512, 60 epochs) with TensorBoard logs and checkpoints."
  static let usage =
    "notmnist train [--train PATH...] [--validation PATH... | --validation-split F]"
    + " [--test PATH... | --test-split F] [options]"
  static var options: [OptionSpec] {
    [
      .list(
        "--train", "PATH",
        "training data: folders, archives or idx files (default: the archives in --data-dir,"
          + " else letters rendered from the installed fonts)"),
      .value("--data-dir", "DIR", "where default data is looked for and cached; default data"),
      .list("--validation", "PATH", "validation data (default: a stratified split of training)"),
      .value(
        "--validation-split", "F", "fraction of training held out for validation; default 0.1"),
      .list("--test", "PATH", "data evaluated once at the end, with the full report"),
      .value(
        "--test-split", "F",
        "fraction of training held out as the test set when no --test is given; default 0,"
          + " 0.1 for rendered default data"),
      .flag("--drop-duplicates", "drop images whose exact pixels occur earlier in training"),
      .flag("--drop-leaks", "drop training images whose pixels occur in validation or test"),
      .value(
        "--model", "NAME",
        "architecture: \(ModelBuilder.names.joined(separator: ", ")); default reference"),
      .value("--epochs", "N", "epochs; default 60"),
      .value("--batch-size", "N", "samples per batch; default 512"),
      .value("--optimizer", "NAME", "rmsprop, sgd or adam; default rmsprop"),
      .value("--learning-rate", "LR", "default 0.001 (rmsprop, adam) or 0.01 (sgd)"),
      .value(
        "--schedule", "NAME",
        "learning rate over the run: constant (default), cosine (decays to 0 at the last epoch)"
          + " or step (x0.1 at 50% and 75% of the epochs)"),
      .value(
        "--augment-shift", "N",
        "move each training image by a random shift of up to N pixels; default 0 (none)"),
      .value("--seed", "N", "seed for initialization, splitting, shuffling and dropout; default 0"),
      .value(
        "--time-budget", "MINUTES", "stop after the epoch that crosses this much training time"),
      .value(
        "--bn-statistics", "MODE",
        "recalibrate (default: exact batch-norm statistics after each epoch) or keras (moving averages only)"
      ),
      .value(
        "--log-dir", "DIR", "TensorBoard logs, checkpoint and report; default logs/<unix time>"),
      .value(
        "--out", "FILE",
        "the trained model (best by validation accuracy); default LOG-DIR/model.safetensors"),
      .value("--resume", "DIR", "continue the run whose log directory is DIR"),
      .value(
        "--log-every", "N", "steps between progress lines when stderr is not a terminal; default 10"
      ),
    ]
  }

  /// The flags after validation, before any work.
  struct Plan {
    var trainPaths: [String]
    var validationPaths: [String]
    var validationSplit: Double
    var testPaths: [String]
    var testSplit: Double
    var dataDirectory: String?
    var dropDuplicates: Bool
    var dropLeaks: Bool
    var modelName: String
    var optimizerName: String
    var learningRate: Double
    var scheduleName: String
    var configuration: TrainingConfiguration
    var logDirectory: URL
    var outURL: URL
    var resume: Bool
    var logEvery: Int
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    let plan = try validate(arguments)
    let data = try loadData(plan, console: console)
    let (trainer, tensorBoard) = try makeTrainer(plan, data: data, console: console)
    Interruption.install()

    let outcome: TrainingOutcome
    do {
      outcome = try trainer.fit(shouldStop: { Interruption.wasRequested })
    } catch {
      throw .failure(error.description)
    }
    // The event file is closed even when the end of the run fails.
    let status: Result<Int32, CommandLineError>
    do {
      status = .success(
        try finish(
          plan, trainer: trainer, outcome: outcome, data: data, tensorBoard: tensorBoard,
          console: console))
    } catch {
      status = .failure(error)
    }
    do {
      try tensorBoard.close()
    } catch {
      throw .failure(error.description)
    }
    return try status.get()
  }

  // MARK: - Flags

  static func validate(_ arguments: ParsedArguments) throws(CommandLineError) -> Plan {
    guard arguments.positional.isEmpty else {
      throw .usage("unexpected argument '\(arguments.positional[0])'")
    }
    let resumeDirectory = arguments.string("--resume")
    let trainPaths = arguments.strings("--train")
    if !trainPaths.isEmpty && arguments.string("--data-dir") != nil {
      throw .usage("--data-dir chooses default data; it does not combine with --train")
    }
    if arguments.string("--test-split") != nil && !arguments.strings("--test").isEmpty {
      throw .usage("give either --test or --test-split, not both")
    }
    if arguments.string("--validation-split") != nil && !arguments.strings("--validation").isEmpty {
      throw .usage("give either --validation or --validation-split, not both")
    }
    var configuration = TrainingConfiguration()
    configuration.epochCount = try arguments.int("--epochs", default: 60, in: 1...100_000)
    configuration.batchSize = try arguments.int("--batch-size", default: 512, in: 1...65_536)
    configuration.seed = UInt64(try arguments.int("--seed", default: 0, in: 0...Int.max))
    if arguments.string("--time-budget") != nil {
      let minutes = try arguments.double("--time-budget", default: 0, in: 0.001...1e7)
      configuration.timeBudgetSeconds = minutes * 60
    }
    let mode = try arguments.choice(
      "--bn-statistics", default: "recalibrate",
      from: TrainingConfiguration.BatchNormStatistics.allCases.map(\.rawValue))
    configuration.batchNormStatistics = .init(rawValue: mode) ?? .recalibrate
    let modelName = try arguments.choice(
      "--model", default: "reference", from: ModelBuilder.names)
    configuration.maxShift = try arguments.int("--augment-shift", default: 0, in: 0...8)
    let optimizerName = try arguments.choice(
      "--optimizer", default: "rmsprop", from: ["rmsprop", "sgd", "adam"])
    let learningRate = try arguments.double(
      "--learning-rate", default: optimizerName == "sgd" ? 0.01 : 0.001, in: 1e-12...10)

    let logDirectory = URL(
      fileURLWithPath: resumeDirectory ?? arguments.string("--log-dir")
        ?? "logs/\(Int(Date().timeIntervalSince1970))")
    if resumeDirectory != nil, let logDir = arguments.string("--log-dir"),
      URL(fileURLWithPath: logDir).standardizedFileURL != logDirectory.standardizedFileURL
    {
      throw .usage("--resume continues in its own directory; drop --log-dir")
    }
    let out =
      arguments.string("--out").map { URL(fileURLWithPath: $0) }
      ?? logDirectory.appendingPathComponent("model.safetensors")
    return Plan(
      trainPaths: trainPaths, validationPaths: arguments.strings("--validation"),
      validationSplit: try arguments.double("--validation-split", default: 0.1, in: 0...0.9),
      testPaths: arguments.strings("--test"),
      testSplit: try arguments.double("--test-split", default: -1, in: 0...0.9),
      dataDirectory: trainPaths.isEmpty ? arguments.string("--data-dir") ?? "data" : nil,
      dropDuplicates: arguments.has("--drop-duplicates"),
      dropLeaks: arguments.has("--drop-leaks"), modelName: modelName,
      optimizerName: optimizerName, learningRate: learningRate,
      scheduleName: try arguments.choice(
        "--schedule", default: "constant", from: ["constant", "cosine", "step"]),
      configuration: configuration,
      logDirectory: logDirectory, outURL: out, resume: resumeDirectory != nil,
      logEvery: try arguments.int("--log-every", default: 10, in: 1...1_000_000))
  }

  /// The optimizer for a new run, with its schedule spread over `totalSteps` updates.
  static func optimizerConfiguration(_ plan: Plan, totalSteps: Int) -> OptimizerConfiguration {
    let rate = plan.learningRate
    let schedule: LearningRateSchedule
    switch plan.scheduleName {
    case "cosine":
      schedule = .cosineDecay(initialLearningRate: rate, decaySteps: totalSteps)
    case "step":
      schedule = .piecewiseConstant(
        boundaries: [totalSteps / 2, totalSteps * 3 / 4], values: [rate, rate / 10, rate / 100])
    default:
      schedule = .constant(rate)
    }
    switch plan.optimizerName {
    case "sgd": return .sgd(SGD(learningRate: schedule).settings)
    case "adam": return .adam(Adam(learningRate: schedule).settings)
    default: return .rmsprop(RMSprop(learningRate: schedule).settings)
    }
  }

  // MARK: - Data

  struct Splits {
    var training: ImageSet
    var validation: ImageSet?
    var test: ImageSet?
    var notes: [String]
  }

  static func loadData(_ plan: Plan, console: Console) throws(CommandLineError) -> Splits {
    var plan = plan
    var notes: [String] = []
    if let directory = plan.dataDirectory {
      let choice = try DefaultData.choose(in: directory, console: console)
      plan.trainPaths = choice.trainPaths
      if plan.testPaths.isEmpty && plan.testSplit < 0 {
        plan.testPaths = choice.testPaths
        if choice.testPaths.isEmpty { plan.testSplit = 0.1 }
      }
      plan.dropLeaks = true
      notes.append("default data: \(choice.note)")
    }
    var training = try DataLoading.load(plan.trainPaths, split: "training", console: console)
    var heldOutTest: ImageSet?
    if plan.testPaths.isEmpty && plan.testSplit > 0 {
      var generator = SeededGenerator(seed: plan.configuration.seed ^ 0x7465_7374)
      let parts = training.stratifiedSplit(validationFraction: plan.testSplit, using: &generator)
      training = parts.training
      heldOutTest = parts.validation.isEmpty ? nil : parts.validation
      notes.append(
        "test: stratified \(plan.testSplit) of training, held out before validation"
          + (heldOutTest == nil ? " (too few images: none held out)" : ""))
    }
    var validation: ImageSet?
    if !plan.validationPaths.isEmpty {
      validation = try DataLoading.load(plan.validationPaths, split: "validation", console: console)
    } else if plan.validationSplit > 0 {
      var generator = SeededGenerator(seed: plan.configuration.seed ^ 0x7370_6C69_74)
      let parts = training.stratifiedSplit(
        validationFraction: plan.validationSplit, using: &generator)
      training = parts.training
      validation = parts.validation
      notes.append("validation: stratified \(plan.validationSplit) of training")
    }
    let test =
      plan.testPaths.isEmpty
      ? heldOutTest : try DataLoading.load(plan.testPaths, split: "test", console: console)

    if plan.dropDuplicates {
      let result = training.removingDuplicates()
      training = result.images
      notes.append("dropped \(result.droppedCount) duplicate images within training")
    }
    let held = [validation, test].compactMap { $0 }
    if !held.isEmpty {
      let result = training.removingImages(sharedWith: held)
      if plan.dropLeaks {
        training = result.images
        notes.append("dropped \(result.droppedCount) training images that occur in validation/test")
      } else if result.droppedCount > 0 {
        notes.append(
          "warning: \(result.droppedCount) training images also occur in validation/test;"
            + " --drop-leaks removes them")
      }
    }
    guard !training.isEmpty else { throw .failure("no training images are left") }
    return Splits(training: training, validation: validation, test: test, notes: notes)
  }

  // MARK: - Setup

  static func makeTrainer(_ plan: Plan, data: Splits, console: Console) throws(CommandLineError)
    -> (Trainer, TensorBoardObserver)
  {
    var model: Model
    var optimizer: any Optimizer
    var configuration = plan.configuration
    var progress: TrainingProgress?
    let checkpointURL = plan.logDirectory.appendingPathComponent(Checkpoint.fileName)
    if plan.resume {
      let checkpoint: Checkpoint
      do {
        checkpoint = try Checkpoint.read(from: checkpointURL)
      } catch {
        throw .failure(error.description)
      }
      guard checkpoint.progress.dataFingerprint == Trainer.fingerprint(of: data.training) else {
        throw .failure(
          "\(checkpointURL.path): the training data differs from the checkpoint's;"
            + " give the same data and flags as the original run")
      }
      model = checkpoint.model
      optimizer = checkpoint.optimizer
      let epochs = configuration.epochCount
      configuration = checkpoint.configuration
      configuration.epochCount = max(epochs, checkpoint.progress.epochsCompleted)
      progress = checkpoint.progress
    } else {
      var generator = SeededGenerator(seed: configuration.seed)
      do {
        model = try Model(named: plan.modelName, generator: &generator)
      } catch {
        throw .failure(error.description)
      }
      let steps = (data.training.count + configuration.batchSize - 1) / configuration.batchSize
      optimizer = optimizerConfiguration(plan, totalSteps: steps * configuration.epochCount)
        .makeOptimizer()
    }

    let display = ProgressDisplay(
      isTerminal: console.isErrorTerminal, logEvery: plan.logEvery,
      write: { console.writeError($0) })
    let tensorBoard: TensorBoardObserver
    do {
      tensorBoard = try TensorBoardObserver(directory: plan.logDirectory)
    } catch {
      throw .failure(error.description)
    }
    let settings = settingsBlock(
      plan, data: data, model: model, optimizer: optimizer,
      configuration: configuration, progress: progress)
    let trainer = Trainer(
      model: model, optimizer: optimizer, training: data.training, validation: data.validation,
      configuration: configuration, progress: progress, directory: plan.logDirectory,
      observers: [display, tensorBoard], settings: settings)
    return (trainer, tensorBoard)
  }

  static func settingsBlock(
    _ plan: Plan, data: Splits, model: Model, optimizer: any Optimizer,
    configuration: TrainingConfiguration, progress: TrainingProgress?
  ) -> [RunStart.Setting] {
    let parameterCount = model.parameters.reduce(0) { $0 + $1.count }
    var rows: [(String, String)] = [
      ("training", "\(data.training.count) images"),
      ("validation", data.validation.map { "\($0.count) images" } ?? "none"),
      ("test", data.test.map { "\($0.count) images" } ?? "none"),
      ("model", "\(model.architecture.name), \(parameterCount) parameters"),
      ("optimizer", optimizer.configuration.description),
      ("epochs", "\(configuration.epochCount), batch size \(configuration.batchSize)"),
      ("batch-norm statistics", configuration.batchNormStatistics.rawValue),
      (
        "augmentation",
        configuration.maxShift > 0 ? "random shifts up to \(configuration.maxShift) px" : "none"
      ),
      ("seed", String(configuration.seed)),
      ("log dir", plan.logDirectory.path),
    ]
    if let budget = configuration.timeBudgetSeconds {
      rows.append(("time budget", "\(budget / 60) minutes"))
    }
    if let progress {
      rows.append(
        ("resumed", "at epoch \(progress.epochsCompleted + 1), step \(progress.globalStep)"))
    }
    rows += data.notes.map { ("data", $0) }
    return rows.map { RunStart.Setting(name: $0.0, value: $0.1) }
  }

  // MARK: - End of run

  static func finish(
    _ plan: Plan, trainer: Trainer, outcome: TrainingOutcome, data: Splits,
    tensorBoard: TensorBoardObserver, console: Console
  ) throws(CommandLineError) -> Int32 {
    if outcome.stop == .interrupted {
      console.note(
        "interrupted at step \(outcome.progress.globalStep); checkpoint written."
          + " Continue with: notmnist train --resume \(plan.logDirectory.path) --train ...")
      return 130
    }

    // The kept model: the best by validation accuracy, else the last.
    var model = trainer.model
    if let best = trainer.bestModelURL, FileManager.default.fileExists(atPath: best.path) {
      do {
        model = try ModelFile.read(from: best).model
      } catch {
        throw .failure(error.description)
      }
    }
    let record = TrainingRecord(
      settings: settingsBlock(
        plan, data: data, model: trainer.model, optimizer: trainer.optimizer,
        configuration: trainer.configuration, progress: nil),
      history: outcome.progress.history)
    var metadata = record.metadata
    metadata["source"] = "notmnist train"
    do {
      try FileManager.default.createDirectory(
        at: plan.outURL.deletingLastPathComponent(), withIntermediateDirectories: true)
      try ModelFile.write(model, to: plan.outURL, metadata: metadata)
    } catch let error as TrainingError {
      throw .failure(error.description)
    } catch {
      throw .failure("\(plan.outURL.path): \(error.localizedDescription)")
    }
    let best = outcome.progress.bestEpoch.map { " (best validation accuracy at epoch \($0))" } ?? ""
    console.note("model written to \(plan.outURL.path)\(best)")
    if outcome.stop == .timeBudget {
      console.note("stopped after epoch \(outcome.progress.epochsCompleted): time budget reached")
    }

    let evaluated = try evaluateHeldOut(
      plan, model: model, data: data, globalStep: outcome.progress.globalStep,
      tensorBoard: tensorBoard, console: console)
    try writePictures(
      plan, model: model, record: record, data: data, evaluated: evaluated, console: console)
    return 0
  }

  /// The held-out images the final model is judged on, with its probabilities for them.
  typealias Evaluated = (name: String, images: ImageSet, probabilities: Tensor)

  /// Evaluates the kept model on the test data (printing and saving the full report and
  /// logging `test/*` to TensorBoard), else on the validation data.
  /// - Returns: what was evaluated, or `nil` when there is neither test nor validation data.
  static func evaluateHeldOut(
    _ plan: Plan, model: Model, data: Splits, globalStep: Int,
    tensorBoard: TensorBoardObserver, console: Console
  ) throws(CommandLineError) -> Evaluated? {
    do {
      if let test = data.test, !test.isEmpty {
        let start = Date()
        let metrics = try Trainer.evaluate(model, on: test, batchSize: plan.configuration.batchSize)
        let probabilities = try Predictor.probabilities(model: model, images: test)
        let report = ClassificationReport(
          trueLabels: test.labels.map(Int.init),
          predictedLabels: Predictor.classes(of: probabilities))
        try tensorBoard.evaluationDidEnd(
          EvaluationEnd(
            split: "test", globalStep: globalStep, metrics: metrics, sampleCount: test.count,
            elapsedSeconds: Date().timeIntervalSince(start), report: report))
        console.write(report.text())
        _ = try report.write(to: plan.logDirectory, stem: "test-report")
        let name =
          plan.testPaths.isEmpty
          ? "test split held out from training"
          : plan.testPaths.map { URL(fileURLWithPath: $0).lastPathComponent }
            .joined(separator: ", ")
        return (name, test, probabilities)
      }
      if let validation = data.validation, !validation.isEmpty {
        let probabilities = try Predictor.probabilities(model: model, images: validation)
        return ("validation data", validation, probabilities)
      }
    } catch {
      throw .failure(error.description)
    }
    return nil
  }

  /// Writes the training curves (`curves.png`) and, when there is held-out data, the HTML
  /// report (`report.html`) into the log directory.
  static func writePictures(
    _ plan: Plan, model: Model, record: TrainingRecord, data: Splits, evaluated: Evaluated?,
    console: Console
  ) throws(CommandLineError) {
    let font = try ModelReport.standardFont()
    if let curves = ReportPictures.curves(record.history, font: font) {
      let url = plan.logDirectory.appendingPathComponent("curves.png")
      do {
        try curves.writePNG(to: url)
      } catch {
        throw .failure(error.description)
      }
      console.note("curves written to \(url.path)")
    }
    guard let evaluated else { return }
    let trainNames = plan.trainPaths.map { URL(fileURLWithPath: $0).lastPathComponent }
    let page = try ModelReport.build(
      ModelReport.Inputs(
        modelPath: plan.outURL.path, model: model, record: record,
        evaluation: evaluated.images, evaluationName: evaluated.name,
        probabilities: evaluated.probabilities, data: data.training,
        dataName: trainNames.isEmpty
          ? "training data" : "training data (\(trainNames.joined(separator: ", ")))",
        seed: plan.configuration.seed))
    let url = try ModelReport.write(page, to: plan.logDirectory)
    console.note("report written to \(url.path)")
  }
}
