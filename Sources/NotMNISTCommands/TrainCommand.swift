import Datasets
import Foundation
import KerasInterop
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
      .value(
        "--precision", "P",
        "number format to compute in: fp32 (default) or bf16 (weights stay fp32); kept on"
          + " --resume"),
      ModelLoading.convolutionOption,
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

  /// The data flags of a run, stored in its checkpoint so that `--resume DIR` alone rebuilds
  /// the same splits.
  struct DataFlags: Codable, Equatable {
    var trainPaths: [String]
    var validationPaths: [String]
    var validationSplit: Double
    var testPaths: [String]
    var testSplit: Double
    var dataDirectory: String?
    var dropDuplicates: Bool
    var dropLeaks: Bool
  }

  /// The flags that `--resume` accepts; the rest come from the checkpoint.
  static let resumeFlags: Set<String> = [
    "--resume", "--epochs", "--time-budget", "--log-every", "--out",
  ]

  /// The flags after validation, before any work.
  struct Plan {
    var data: DataFlags
    var modelName: String
    var optimizerName: String
    var learningRate: Double
    var scheduleName: String
    var configuration: TrainingConfiguration
    var logDirectory: URL
    var outURL: URL
    var resume: Bool
    var logEvery: Int
    /// Whether `--epochs` and `--time-budget` were given (they override a resumed run's).
    var hasEpochs: Bool
    var hasTimeBudget: Bool
  }

  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError)
    -> Int32
  {
    var plan = try validate(arguments)
    // From here on, Ctrl-C asks the trainer to stop at its next step.
    Interruption.install()
    let checkpoint = try plan.resume ? readCheckpoint(&plan) : nil
    let data = try loadData(plan, console: console)
    let (trainer, tensorBoard) = try makeTrainer(
      plan, checkpoint: checkpoint, data: data, console: console)

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
    if resumeDirectory != nil {
      let given = Set(arguments.values.keys).union(arguments.flags).subtracting(resumeFlags)
      if let flag = given.sorted().first {
        throw .usage(
          "\(flag) cannot be given with --resume: the run's data and settings come from its"
            + " checkpoint (only --epochs, --time-budget, --log-every and --out may change)")
      }
    }
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
    configuration.precision = try ModelLoading.precision(arguments)
    configuration.convolutionAlgorithm = try ModelLoading.convolutionAlgorithm(arguments)
    let optimizerName = try arguments.choice(
      "--optimizer", default: "rmsprop", from: ["rmsprop", "sgd", "adam"])
    let learningRate = try arguments.double(
      "--learning-rate", default: optimizerName == "sgd" ? 0.01 : 0.001, in: 1e-12...10)

    let logDirectory = URL(
      fileURLWithPath: resumeDirectory ?? arguments.string("--log-dir")
        ?? "logs/\(Int(Date().timeIntervalSince1970))")
    let checkpointPath = logDirectory.appendingPathComponent(Checkpoint.fileName).path
    if resumeDirectory != nil {
      guard FileManager.default.fileExists(atPath: checkpointPath) else {
        throw .usage("--resume \(logDirectory.path): no \(Checkpoint.fileName) there to continue")
      }
    } else if FileManager.default.fileExists(atPath: checkpointPath)
      || !EventFileReader.eventFiles(in: logDirectory).isEmpty
    {
      throw .usage(
        "log dir \(logDirectory.path) already holds a run; continue it with --resume"
          + " \(logDirectory.path) or choose another --log-dir")
    }
    let out = try outputURL(arguments.string("--out"), logDirectory: logDirectory)
    let data = DataFlags(
      trainPaths: trainPaths, validationPaths: arguments.strings("--validation"),
      validationSplit: try arguments.double("--validation-split", default: 0.1, in: 0...0.9),
      testPaths: arguments.strings("--test"),
      testSplit: try arguments.double("--test-split", default: -1, in: 0...0.9),
      dataDirectory: trainPaths.isEmpty ? arguments.string("--data-dir") ?? "data" : nil,
      dropDuplicates: arguments.has("--drop-duplicates"), dropLeaks: arguments.has("--drop-leaks"))
    return Plan(
      data: data, modelName: modelName,
      optimizerName: optimizerName, learningRate: learningRate,
      scheduleName: try arguments.choice(
        "--schedule", default: "constant", from: ["constant", "cosine", "step"]),
      configuration: configuration,
      logDirectory: logDirectory, outURL: out, resume: resumeDirectory != nil,
      logEvery: try arguments.int("--log-every", default: 10, in: 1...1_000_000),
      hasEpochs: arguments.string("--epochs") != nil,
      hasTimeBudget: arguments.string("--time-budget") != nil)
  }

  /// The model file's URL: `.safetensors` (ours) or `.keras`, not a folder.
  static func outputURL(_ path: String?, logDirectory: URL) throws(CommandLineError) -> URL {
    guard let path else { return logDirectory.appendingPathComponent("model.safetensors") }
    guard path.hasSuffix(".safetensors") || path.hasSuffix(".keras") else {
      throw .usage("--out must name a .safetensors or .keras file, got '\(path)'")
    }
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
      throw .usage("--out \(path) is a folder; name the model file")
    }
    return URL(fileURLWithPath: path)
  }

  /// Reads the checkpoint of a resumed run and takes its data flags.
  static func readCheckpoint(_ plan: inout Plan) throws(CommandLineError) -> Checkpoint {
    let url = plan.logDirectory.appendingPathComponent(Checkpoint.fileName)
    let checkpoint: Checkpoint
    do {
      checkpoint = try Checkpoint.read(from: url)
    } catch {
      throw .failure(error.description)
    }
    guard let text = checkpoint.metadata["command"],
      let flags = try? JSONDecoder().decode(DataFlags.self, from: Data(text.utf8))
    else {
      throw .failure("\(url.path): the checkpoint does not record the run's data flags")
    }
    plan.data = flags
    // The splits are drawn from the run's seed; `--epochs` and `--time-budget` stay as given.
    plan.configuration.seed = checkpoint.configuration.seed
    return checkpoint
  }

  /// The optimizer for a new run, with its schedule spread over `totalSteps` updates.
  static func optimizerConfiguration(_ plan: Plan, totalSteps: Int) -> OptimizerConfiguration {
    let rate = plan.learningRate
    let schedule: LearningRateSchedule
    switch plan.scheduleName {
    case "cosine":
      schedule = .cosineDecay(initialLearningRate: rate, decaySteps: totalSteps)
    case "step":
      // Boundaries must increase even when a run has only a few steps.
      let first = max(1, totalSteps / 2)
      let second = max(first + 1, totalSteps * 3 / 4)
      schedule = .piecewiseConstant(
        boundaries: [first, second], values: [rate, rate / 10, rate / 100])
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
    var flags = plan.data
    var notes: [String] = []
    if let directory = flags.dataDirectory {
      let choice = try DefaultData.choose(in: directory, console: console)
      flags.trainPaths = choice.trainPaths
      if flags.testPaths.isEmpty && flags.testSplit < 0 {
        flags.testPaths = choice.testPaths
        if choice.testPaths.isEmpty { flags.testSplit = 0.1 }
      }
      flags.dropLeaks = true
      notes.append("default data: \(choice.note)")
    }
    var training = try DataLoading.load(flags.trainPaths, split: "training", console: console)
    var heldOutTest: ImageSet?
    if flags.testPaths.isEmpty && flags.testSplit > 0 {
      var generator = SeededGenerator(seed: plan.configuration.seed ^ 0x7465_7374)
      let parts = training.stratifiedSplit(validationFraction: flags.testSplit, using: &generator)
      training = parts.training
      heldOutTest = parts.validation.isEmpty ? nil : parts.validation
      notes.append(
        "test: stratified \(flags.testSplit) of training, held out before validation"
          + (heldOutTest == nil ? " (too few images: none held out)" : ""))
    }
    var validation: ImageSet?
    if !flags.validationPaths.isEmpty {
      validation = try DataLoading.load(
        flags.validationPaths, split: "validation", console: console)
    } else if flags.validationSplit > 0 {
      var generator = SeededGenerator(seed: plan.configuration.seed ^ 0x7370_6C69_74)
      let parts = training.stratifiedSplit(
        validationFraction: flags.validationSplit, using: &generator)
      training = parts.training
      validation = parts.validation
      notes.append("validation: stratified \(flags.validationSplit) of training")
    }
    let test =
      flags.testPaths.isEmpty
      ? heldOutTest : try DataLoading.load(flags.testPaths, split: "test", console: console)

    if flags.dropDuplicates {
      let result = training.removingDuplicates()
      training = result.images
      notes.append("dropped \(result.droppedCount) duplicate images within training")
    }
    let held = [validation, test].compactMap { $0 }
    if !held.isEmpty {
      let result = training.removingImages(sharedWith: held)
      if flags.dropLeaks {
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

  static func makeTrainer(
    _ plan: Plan, checkpoint: Checkpoint?, data: Splits, console: Console
  ) throws(CommandLineError) -> (Trainer, TensorBoardObserver) {
    var model: Model
    var optimizer: any Optimizer
    var configuration = plan.configuration
    var progress: TrainingProgress?
    if let checkpoint {
      let path = plan.logDirectory.appendingPathComponent(Checkpoint.fileName).path
      guard checkpoint.progress.dataFingerprint == Trainer.fingerprint(of: data.training) else {
        throw .failure(
          "\(path): the training data differs from the checkpoint's (the files changed?)")
      }
      let steps =
        (data.training.count + checkpoint.configuration.batchSize - 1)
        / checkpoint.configuration.batchSize
      guard checkpoint.progress.stepInEpoch < steps else {
        throw .failure(
          "\(path): step \(checkpoint.progress.stepInEpoch) is past the epoch's \(steps)")
      }
      model = checkpoint.model
      optimizer = checkpoint.optimizer
      progress = checkpoint.progress
      configuration = try resumedConfiguration(plan, checkpoint: checkpoint)
    } else {
      var generator = SeededGenerator(seed: configuration.seed)
      do {
        model = try Model(
          named: plan.modelName, generator: &generator, precision: configuration.precision)
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
    let command: String
    do {
      command = String(decoding: try JSONEncoder().encode(plan.data), as: UTF8.self)
    } catch {
      throw .failure("cannot record the data flags: \(error)")
    }
    let trainer = Trainer(
      model: model, optimizer: optimizer, training: data.training, validation: data.validation,
      configuration: configuration, progress: progress, directory: plan.logDirectory,
      observers: [display, tensorBoard], settings: settings,
      checkpointMetadata: ["command": command])
    return (trainer, tensorBoard)
  }

  /// The settings of a resumed run: the checkpoint's, with `--epochs` and `--time-budget`
  /// applied when given.
  static func resumedConfiguration(_ plan: Plan, checkpoint: Checkpoint) throws(CommandLineError)
    -> TrainingConfiguration
  {
    var configuration = checkpoint.configuration
    if plan.hasEpochs {
      let epochs = plan.configuration.epochCount
      guard epochs >= checkpoint.progress.epochsCompleted else {
        throw .usage(
          "--epochs \(epochs) is fewer than the \(checkpoint.progress.epochsCompleted) epochs"
            + " already done")
      }
      let isConstant: Bool
      if case .constant = checkpoint.optimizer.configuration.learningRateSchedule {
        isConstant = true
      } else {
        isConstant = false
      }
      guard isConstant || epochs == configuration.epochCount else {
        throw .usage(
          "--epochs cannot change on --resume when the learning rate follows a schedule over"
            + " the original \(configuration.epochCount) epochs")
      }
      configuration.epochCount = epochs
    }
    if plan.hasTimeBudget {
      configuration.timeBudgetSeconds = plan.configuration.timeBudgetSeconds
    }
    return configuration
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
      ("precision", configuration.precision.rawValue),
      (
        "convolutions",
        configuration.convolutionAlgorithm.effective(at: configuration.precision).rawValue
      ),
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
          + " Continue with: notmnist train --resume \(plan.logDirectory.path)")
      return 130
    }

    // The kept model: the best by validation accuracy, else the last.
    var model = trainer.model
    if outcome.progress.bestEpoch != nil, let best = trainer.bestModelURL,
      FileManager.default.fileExists(atPath: best.path)
    {
      do {
        model = try ModelFile.read(from: best, precision: trainer.configuration.precision).model
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
      if plan.outURL.pathExtension == "keras" {
        try KerasModelFile.write(model, to: plan.outURL)
      } else {
        try ModelFile.write(model, to: plan.outURL, metadata: metadata)
      }
    } catch let error as TrainingError {
      throw .failure(error.description)
    } catch let error as KerasError {
      throw .failure(error.description)
    } catch {
      throw .failure("\(plan.outURL.path): \(error.localizedDescription)")
    }
    let best =
      outcome.progress.bestEpoch.map {
        " (the best by validation accuracy, from epoch \($0); the report below evaluates it)"
      } ?? " (the last epoch's weights)"
    console.note("model written to \(plan.outURL.path)\(best)")
    if outcome.stop == .timeBudget {
      console.note("stopped after epoch \(outcome.progress.epochsCompleted): time budget reached")
    }

    let evaluated = try evaluateHeldOut(
      plan, model: model, data: data, globalStep: outcome.progress.globalStep,
      tensorBoard: tensorBoard, console: console)
    do {
      try writePictures(
        plan, model: model, record: record, data: data, evaluated: evaluated, console: console)
    } catch {
      // The model and the text report are already written; pictures are a bonus that a
      // machine without fonts cannot draw.
      console.note("warning: curves and HTML report not written: \(error.description)")
    }
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
          plan.data.testPaths.isEmpty
          ? "test split held out from training"
          : plan.data.testPaths.map { URL(fileURLWithPath: $0).lastPathComponent }
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
    let trainNames = plan.data.trainPaths.map { URL(fileURLWithPath: $0).lastPathComponent }
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
