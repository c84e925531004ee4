import Foundation
import NeuralNet
import TensorCore
import TestSupport
import Testing
import Training

@testable import NotMNISTCommands

@Suite struct ReportCommandTests {
  /// Writes the tiny architecture with fresh weights (seed 0) and the given metadata.
  static func writeFreshModel(to path: String, metadata: [String: String] = [:]) throws {
    var generator = SeededGenerator(seed: 0)
    let model = try Model(named: "tiny", generator: &generator)
    try ModelFile.write(model, to: URL(fileURLWithPath: path), metadata: metadata)
  }

  static func sectionIDs(in html: String) -> [String] {
    html.components(separatedBy: "<section id=\"").dropFirst().map {
      String($0.prefix { $0 != "\"" })
    }
  }

  @Test func trainWritesCurvesAndReportAndTheModelFileCarriesTheRun() throws {
    let data = try SyntheticData()
    let logs = data.directory.file("logs").path
    let training = runProgram(data.trainArguments(logDirectory: logs, epochs: 2))
    #expect(training.status == 0, "stderr: \(training.error)")
    #expect(training.error.contains("curves written to \(logs)/curves.png\n"))
    #expect(training.error.contains("report written to \(logs)/report.html\n"))

    // The curves: two 640 x 420 charts side by side.
    let curves = PictureChecks.decode(files: [logs + "/curves.png"])?.first
    #expect(curves?.format == "PNG")
    #expect(curves?.width == 1280 && curves?.height == 420)

    // The model file holds the settings block and both epochs.
    let metadata = try ModelFile.read(from: URL(fileURLWithPath: logs + "/model.safetensors"))
      .metadata
    let record = try TrainingRecord(metadata: metadata, path: "model.safetensors")
    #expect(record.history.map(\.epoch) == [1, 2])
    #expect(record.history.allSatisfy { $0.validationAccuracy != nil })
    #expect(record.settings.first { $0.name == "epochs" }?.value == "2, batch size 16")
    #expect(record.settings.first { $0.name == "model" }?.value.hasPrefix("tiny, ") == true)
    #expect(metadata["source"] == "notmnist train")

    // The report from training: every section, every picture a decodable PNG of its stated size.
    let html = try String(contentsOfFile: logs + "/report.html", encoding: .utf8)
    #expect(
      Self.sectionIDs(in: html)
        == [
          "overview", "settings", "curves", "confusion", "per-class", "mistakes", "samples",
          "flagged",
        ])
    #expect(html.contains("<td>2, batch size 16</td>"))
    #expect(html.contains("Evaluated on t10k-images-idx3-ubyte (30 images)."))
    let pictures = PictureChecks.decodeDataURIs(inHTML: logs + "/report.html") ?? []
    #expect(pictures.count == html.components(separatedBy: "<img ").count - 1)
    #expect(pictures.count >= 3)
    for picture in pictures {
      #expect(picture.facts.format == "PNG")
      #expect(picture.facts.width == picture.statedWidth)
      #expect(picture.facts.height == picture.statedHeight)
      #expect(picture.facts.colours > 2)
    }
    #expect(pictures.first.map { [$0.statedWidth, $0.statedHeight] } == [1280, 420])
  }

  @Test func trainWithoutHeldOutDataWritesCurvesButNoReport() throws {
    let data = try SyntheticData()
    let logs = data.directory.file("logs").path
    let result = runProgram([
      "train", "--train", data.trainPath, "--model", "tiny", "--epochs", "1", "--batch-size",
      "16", "--validation-split", "0", "--log-dir", logs,
    ])

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(result.error.contains("curves written to \(logs)/curves.png\n"))
    #expect(!result.error.contains("report written"))
    #expect(FileManager.default.fileExists(atPath: logs + "/curves.png"))
    #expect(!FileManager.default.fileExists(atPath: logs + "/report.html"))
  }

  @Test func reportCommandEvaluatesTheDataAndAgreesWithEvaluate() throws {
    let data = try SyntheticData()
    let model = data.directory.file("model.safetensors").path
    try Self.writeFreshModel(
      to: model,
      metadata: TrainingRecord(
        settings: [RunStart.Setting(name: "seed", value: "7")],
        history: [
          EpochRecord(
            epoch: 1, trainLoss: 2.5, trainAccuracy: 0.1, validationLoss: nil,
            validationAccuracy: nil, learningRate: 0.001, seconds: 1)
        ]
      ).metadata)
    let out = data.directory.file("report").path

    let result = runProgram([
      "report", "--model", model, "--data", data.testPath, "--out", out, "--samples", "12",
    ])

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(result.out.isEmpty)
    #expect(result.error.hasPrefix("report written to \(out)/report.html: accuracy "))
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    let evaluation = runProgram(["evaluate", "--model", model, "--data", data.testPath, "--json"])
    let json = try JSONSerialization.jsonObject(with: Data(evaluation.out.utf8)) as? [String: Any]
    let accuracy = try #require(json?["accuracy"] as? Double)
    #expect(
      html.contains(
        "<div class=\"card\"><span>accuracy</span><b>\(String(format: "%.2f%%", accuracy * 100))"))
    #expect(html.contains("<tr><th>seed</th><td>7</td></tr>"))
    #expect(html.contains("<tr><th>pictured data</th><td>t10k-images-idx3-ubyte, 30 images</td>"))
    let pictures = PictureChecks.decodeDataURIs(inHTML: out + "/report.html") ?? []
    #expect(pictures.count == html.components(separatedBy: "<img ").count - 1)
    #expect(pictures.allSatisfy { $0.facts.width == $0.statedWidth })
    #expect(pictures.first.map { [$0.statedWidth, $0.statedHeight] } == [1280, 420])
  }

  @Test func modelWithoutRunRecordStillGetsAReport() throws {
    let data = try SyntheticData()
    let model = data.directory.file("bare.safetensors").path
    try Self.writeFreshModel(to: model)
    let out = data.directory.file("report").path

    let result = runProgram([
      "report", "--model", model, "--data", data.testPath, "--out", out, "--samples", "5",
      "--mistakes", "0",
    ])

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(result.error.hasSuffix(" on 30 images, 2 pictures\n"))
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    #expect(html.contains("The model file records no training settings."))
    #expect(html.contains("The model file records no epoch history."))
    #expect(
      html.contains("images were misclassified; none is pictured.")
        || html.contains(
          "The model classified every evaluated image correctly.")
    )
    let pictures = PictureChecks.decodeDataURIs(inHTML: out + "/report.html") ?? []
    #expect(pictures.map(\.facts.format) == ["PNG", "PNG"])
  }

  @Test func flaggedImagesOfTheDataArePictured() throws {
    let folder = try TemporaryDirectory()
    let shared = FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 3))
    FixtureBuilders.write(shared, to: folder.file("data/C/one.png").path)
    FixtureBuilders.write(shared, to: folder.file("data/G/other.png").path)
    for name in ["block", "block2"] {
      FixtureBuilders.write(
        FixtureBuilders.grayPNG([UInt8](repeating: 255, count: 784)),
        to: folder.file("data/I/\(name).png").path)
    }
    let model = folder.file("model.safetensors").path
    try Self.writeFreshModel(to: model)
    let out = folder.file("report").path

    let result = runProgram([
      "report", "--model", model, "--data", folder.file("data").path, "--out", out,
      "--mistakes", "0",
    ])

    #expect(result.status == 0, "stderr: \(result.error)")
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    #expect(
      html.contains(
        "<p>data, 4 images. Pixel contents that occur under more than one letter: 1. Blank images"
          + " (every pixel equal): 2.</p>"))
    let alts = html.components(separatedBy: " alt=\"").dropFirst().map {
      String($0.prefix { $0 != "\"" })
    }
    #expect(
      alts == [
        "Confusion matrix heatmap", "Random images of the data",
        "Duplicates with conflicting letters", "Blank images",
      ])
    let pictures = PictureChecks.decodeDataURIs(inHTML: out + "/report.html") ?? []
    #expect(pictures.map(\.facts.format) == ["PNG", "PNG", "PNG", "PNG"])
  }

  @Test func malformedRunRecordIsAFailureNamingTheFile() throws {
    let data = try SyntheticData()
    let model = data.directory.file("odd.safetensors").path
    try Self.writeFreshModel(to: model, metadata: ["history": "oops"])

    let result = runProgram([
      "report", "--model", model, "--data", data.testPath, "--out", data.directory.file("r").path,
    ])

    #expect(result.status == 1)
    #expect(
      result.error
        == "error: \(model): metadata 'history' is not the JSON list 'notmnist train' writes: oops\n"
    )
    #expect(!FileManager.default.fileExists(atPath: data.directory.file("r/report.html").path))
  }

  @Test func missingModelFileIsNamed() {
    let result = runProgram([
      "report", "--model", "/nonexistent/m.safetensors", "--data", "x", "--out", "/tmp/unused",
    ])
    #expect(result.status == 1)
    #expect(result.error == "error: /nonexistent/m.safetensors: no such file\n")
  }
}

// MARK: - Flags

extension ReportCommandTests {
  static let usageCases: [UsageCase] = [
    UsageCase(
      id: "no model", arguments: ["--data", "x", "--out", "d"],
      message: "give the model with --model FILE"),
    UsageCase(
      id: "no data", arguments: ["--model", "m", "--out", "d"],
      message: "give the data with --data PATH..."),
    UsageCase(
      id: "no out", arguments: ["--model", "m", "--data", "x"],
      message: "give the folder for report.html with --out DIR"),
    UsageCase(
      id: "stray path", arguments: ["x.tar.gz", "--model", "m"],
      message: "unexpected argument 'x.tar.gz'; give data with --data"),
    UsageCase(
      id: "zero samples",
      arguments: ["--model", "m", "--data", "x", "--out", "d", "--samples", "0"],
      message: "--samples must be an integer in 1...1000, got '0'"),
    UsageCase(
      id: "too many mistakes",
      arguments: ["--model", "m", "--data", "x", "--out", "d", "--mistakes", "501"],
      message: "--mistakes must be an integer in 0...500, got '501'"),
    UsageCase(
      id: "out twice", arguments: ["--model", "m", "--data", "x", "--out", "d", "--out", "e"],
      message: "--out given more than once"),
  ]

  @Test(arguments: usageCases)
  func rejectsBadFlagsBeforeAnyWork(_ usage: UsageCase) {
    let result = runProgram(["report"] + usage.arguments)
    #expect(result.status == 64)
    #expect(result.out.isEmpty)
    #expect(result.error == "error: \(usage.message)\nusage: \(ReportCommand.usage)\n")
  }

  @Test func programHelpListsTheNewCommands() {
    let help = runProgram(["help"]).out
    #expect(help.contains("  report "))
    #expect(help.contains("  data grid "))
  }
}
