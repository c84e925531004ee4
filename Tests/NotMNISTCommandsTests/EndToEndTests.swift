import Foundation
import TensorCore
import TestSupport
import Testing
import Training

@testable import NotMNISTCommands

/// A synthetic notMNIST: for each letter a few 28x28 PNGs in a folder tree, plus junk and a
/// zero-byte file, and an idx test set.
struct SyntheticData {
  let directory: TemporaryDirectory
  var trainPath: String { directory.file("train").path }
  var testPath: String { directory.file("t10k-images-idx3-ubyte").path }

  /// A glyph-like pattern: a band whose row depends on the label, a stroke on the variant.
  static func image(label: Int, variant: Int) -> [UInt8] {
    var pixels = [UInt8](repeating: 0, count: 784)
    let row = 2 + label * 2
    for x in 0..<28 {
      pixels[row * 28 + x] = 255
      pixels[(row + 1) * 28 + x] = 200
    }
    let column = 3 + (variant * 5) % 22
    for y in 0..<28 { pixels[y * 28 + column] = max(pixels[y * 28 + column], 120) }
    return pixels
  }

  init(imagesPerLetter: Int = 6) throws {
    directory = try TemporaryDirectory()
    let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]
    for (label, letter) in letters.enumerated() {
      for variant in 0..<imagesPerLetter {
        FixtureBuilders.write(
          FixtureBuilders.grayPNG(Self.image(label: label, variant: variant)),
          to: directory.file("train/\(letter)/\(letter)\(variant).png").path)
      }
    }
    FixtureBuilders.write([], to: directory.file("train/A/empty.png").path)
    FixtureBuilders.write([1, 2, 3], to: directory.file("train/.DS_Store").path)

    var testPixels: [UInt8] = []
    var testLabels: [UInt8] = []
    for label in 0..<10 {
      for variant in 0..<3 {
        testPixels += Self.image(label: label, variant: variant + 7)
        testLabels.append(UInt8(label))
      }
    }
    FixtureBuilders.write(
      FixtureBuilders.idxImages(testPixels, count: testLabels.count), to: testPath)
    FixtureBuilders.write(
      FixtureBuilders.idxLabels(testLabels), to: directory.file("t10k-labels-idx1-ubyte").path)
  }

  /// The arguments of a short training run of the tiny model.
  func trainArguments(logDirectory: String, epochs: Int, extra: [String] = []) -> [String] {
    ["train"] + extra + [
      "--train", trainPath, "--test", testPath, "--model", "tiny", "--epochs",
      String(epochs), "--batch-size", "16", "--validation-split", "0.2", "--seed", "7",
      "--log-dir", logDirectory, "--log-every", "1",
    ]
  }
}

@Suite struct EndToEndTests {
  @Test func trainWritesModelCheckpointEventsAndReport() throws {
    let data = try SyntheticData()
    let logs = data.directory.file("logs").path
    let result = runProgram(
      data.trainArguments(logDirectory: logs, epochs: 2, extra: ["--schedule", "cosine"]))

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(result.error.contains("skipped 1 unreadable entry"))
    #expect(
      result.error.contains("train/A/empty.png: empty file")
        || result.error.contains("A/empty.png: empty file"))
    #expect(result.error.contains("epoch 2/2"))
    #expect(result.error.contains("val_acc"))
    let lines = result.out.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first == "Confusion matrix (rows: actual, columns: predicted)")
    for letter in ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"] {
      #expect(lines.contains { $0.hasPrefix(" \(letter) ") }, "no confusion row for \(letter)")
    }
    #expect(result.out.contains("Cohen's kappa:"))
    for name in [
      "model.safetensors", "best-model.safetensors", "checkpoint.safetensors",
      "test-report.json",
    ] {
      #expect(FileManager.default.fileExists(atPath: logs + "/" + name), "missing \(name)")
    }

    // TensorBoard's own reader sees every tag at the expected steps: the stratified split keeps
    // round(6 · 0.2) = 1 image per letter for validation, and 50 training images in batches of
    // 16 make 4 steps per epoch.
    let tags =
      Python.json(
        """
        import json, sys
        from tensorboard.backend.event_processing import event_accumulator as ea
        acc = ea.EventAccumulator(sys.argv[1]); acc.Reload()
        print(json.dumps({t: [e.step for e in acc.Scalars(t)] for t in acc.Tags()["scalars"]}))
        """, arguments: [logs]) as? [String: [Int]]
    #expect(tags?["val/accuracy"] == [4, 8])
    #expect(tags?["val/loss"] == [4, 8])
    #expect(tags?["train/loss"] == Array(1...8))
    #expect(tags?["optimizer/learning_rate"]?.last == 8)
    let rates =
      Python.json(
        """
        import json, sys
        from tensorboard.backend.event_processing import event_accumulator as ea
        acc = ea.EventAccumulator(sys.argv[1]); acc.Reload()
        print(json.dumps([e.value for e in acc.Scalars("optimizer/learning_rate")]))
        """, arguments: [logs]) as? [Double]
    // Cosine decay over 2 epochs of 4 steps: step s uses 0.001 · ½(1 + cos(π s / 8)).
    #expect(abs((rates?.first ?? 0) - 0.001) < 1e-9)
    #expect(abs((rates?[6] ?? 0) - 0.001 * 0.5 * (1 + cos(Double.pi * 6 / 8))) < 1e-8)
    #expect(tags?["epoch/val_accuracy"] == [1, 2])
    #expect(tags?["test/accuracy"] == [8])

    // Python's safetensors opens the model with the architecture in its metadata.
    let opened =
      Python.json(
        """
        import json, sys
        from safetensors import safe_open
        with safe_open(sys.argv[1], framework="numpy") as f:
            meta = f.metadata()
            print(json.dumps({"keys": len(list(f.keys())), "format": meta["format"],
                "architecture": json.loads(meta["architecture"])["name"]}))
        """, arguments: [logs + "/model.safetensors"]) as? [String: Any]
    #expect(opened?["format"] as? String == ModelFile.formatName)
    #expect(opened?["architecture"] as? String == "tiny")
    #expect((opened?["keys"] as? Int ?? 0) > 0)
  }

  @Test func evaluateAndPredictUseTheSavedModel() throws {
    let data = try SyntheticData()
    let logs = data.directory.file("logs").path
    #expect(runProgram(data.trainArguments(logDirectory: logs, epochs: 1)).status == 0)
    let model = logs + "/model.safetensors"

    let evaluation = runProgram(["evaluate", "--model", model, "--data", data.testPath, "--json"])
    #expect(evaluation.status == 0, "stderr: \(evaluation.error)")
    let json = try JSONSerialization.jsonObject(with: Data(evaluation.out.utf8)) as? [String: Any]
    let confusion = json?["confusion"] as? [[Int]]
    #expect(confusion?.count == 10)
    #expect(confusion?.flatMap { $0 }.reduce(0, +) == 30)
    #expect((json?["perClass"] as? [Any])?.count == 10)

    let good = data.directory.file("train/C/C0.png").path
    let broken = data.directory.file("broken.png").path
    FixtureBuilders.write(Array("not a png at all".utf8), to: broken)
    let prediction = runProgram(["predict", "--model", model, good, broken, "--top", "3"])
    #expect(prediction.status == 1)
    let row = prediction.out.split(separator: "\n").first.map(String.init) ?? ""
    #expect(row.hasPrefix(good + "\t"))
    #expect(row.split(separator: "\t").last?.split(separator: " ").count == 6)
    #expect(prediction.error.contains("error: \(broken): "))
  }

  @Test func resumedRunEndsWithTheSameWeights() throws {
    let data = try SyntheticData()
    let straight = data.directory.file("straight").path
    let pieces = data.directory.file("pieces").path
    let shift = ["--augment-shift", "2"]
    #expect(
      runProgram(data.trainArguments(logDirectory: straight, epochs: 3, extra: shift)).status == 0)
    #expect(
      runProgram(data.trainArguments(logDirectory: pieces, epochs: 1, extra: shift)).status == 0)
    // The checkpoint holds the data flags and settings; only the epoch count is extended.
    let resumed = runProgram(["train", "--resume", pieces, "--epochs", "3"])
    #expect(resumed.status == 0, "stderr: \(resumed.error)")
    #expect(resumed.error.contains("resumed"))

    let a = try Safetensors.read(from: URL(fileURLWithPath: straight + "/checkpoint.safetensors"))
    let b = try Safetensors.read(from: URL(fileURLWithPath: pieces + "/checkpoint.safetensors"))
    #expect(a.tensors.map(\.name) == b.tensors.map(\.name))
    let differing = zip(a.tensors, b.tensors).filter { $0.tensor != $1.tensor }.map(\.0.name)
    #expect(differing.isEmpty, "differ after resuming: \(differing)")
  }

  @Test func resumeRefusesFlagsThatWouldChangeTheRun() throws {
    let data = try SyntheticData()
    let logs = data.directory.file("logs").path
    #expect(runProgram(data.trainArguments(logDirectory: logs, epochs: 1)).status == 0)

    let changed = runProgram(["train", "--resume", logs, "--batch-size", "8"])
    #expect(changed.status == 64)
    #expect(changed.error.hasPrefix("error: --batch-size cannot be given with --resume"))
    let again = runProgram(data.trainArguments(logDirectory: logs, epochs: 1))
    #expect(again.status == 64)
    #expect(again.error.hasPrefix("error: log dir \(logs) already holds a run"))
    let missing = runProgram(["train", "--resume", data.directory.file("none").path])
    #expect(missing.status == 64)
    #expect(missing.error.contains("no checkpoint.safetensors there to continue"))
  }
}

@Suite struct DefaultDataTests {
  @Test func trainWithoutDataUsesTheArchiveInTheDataFolder() throws {
    let data = try SyntheticData()
    let folder = data.directory.file("data").path
    var members: [FixtureBuilders.ArchiveMember] = []
    for (label, letter) in ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"].enumerated() {
      for variant in 0..<10 {
        members.append(
          .file(
            "notMNIST_small/\(letter)/\(variant).png",
            FixtureBuilders.grayPNG(SyntheticData.image(label: label, variant: variant))))
      }
    }
    FixtureBuilders.write(
      FixtureBuilders.gzip(FixtureBuilders.tar(members)), to: folder + "/notMNIST_small.tar.gz")

    let result = runProgram([
      "train", "--data-dir", folder, "--model", "tiny", "--epochs", "1", "--batch-size", "8",
      "--log-dir", data.directory.file("logs").path,
    ])
    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(result.error.contains("default data: real notMNIST_small from \(folder)"))
    #expect(result.error.contains("test: stratified 0.1 of training"))
    #expect(result.out.contains("Cohen's kappa:"))
  }
}

@Suite struct TrainCommandUsageTests {
  static let cases: [UsageCase] = [
    UsageCase(
      id: "data dir with train", arguments: ["train", "--train", "x", "--data-dir", "d"],
      message: "--data-dir chooses default data; it does not combine with --train"),
    UsageCase(
      id: "both tests", arguments: ["train", "--train", "x", "--test", "y", "--test-split", "0.1"],
      message: "give either --test or --test-split, not both"),
    UsageCase(
      id: "zero epochs", arguments: ["train", "--train", "x", "--epochs", "0"],
      message: "--epochs must be an integer in 1...100000, got '0'"),
    UsageCase(
      id: "both validations",
      arguments: ["train", "--train", "x", "--validation", "y", "--validation-split", "0.1"],
      message: "give either --validation or --validation-split, not both"),
    UsageCase(
      id: "unknown optimizer", arguments: ["train", "--train", "x", "--optimizer", "lbfgs"],
      message: "--optimizer must be one of rmsprop, sgd, adam, got 'lbfgs'"),
  ]

  @Test(arguments: cases)
  func rejectsBadFlagsBeforeAnyWork(_ usage: UsageCase) {
    let result = runProgram(usage.arguments)
    #expect(result.status == 64)
    #expect(result.error.hasPrefix("error: \(usage.message)\nusage: notmnist train"))
  }

  @Test func missingTrainingDataIsARuntimeErrorNamingThePath() {
    let result = runProgram(["train", "--train", "/nonexistent/notMNIST_large.tar.gz"])
    #expect(result.status == 1)
    #expect(result.error.contains("/nonexistent/notMNIST_large.tar.gz"))
  }

  @Test func missingModelFileIsNamed() {
    let result = runProgram(["evaluate", "--model", "/nonexistent/m.safetensors", "--data", "x"])
    #expect(result.status == 1)
    #expect(result.error == "error: /nonexistent/m.safetensors: no such file\n")
  }
}
