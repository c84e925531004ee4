import Foundation
import NeuralNet
import TensorCore
import TestSupport
import Testing
import Training

@testable import NotMNISTCommands

@Suite struct PrecisionFlagTests {
  @Test(arguments: [(["--precision", "bf16"], Precision.bf16), ([], .fp32)])
  func trainStoresThePrecisionInItsConfiguration(flags: [String], expected: Precision) throws {
    let folder = try TemporaryDirectory()
    let arguments = try ParsedArguments(
      ["--train", "x", "--log-dir", folder.file("logs").path] + flags,
      specs: TrainCommand.options)

    #expect(try TrainCommand.validate(arguments).configuration.precision == expected)
  }

  @Test func resumeKeepsTheRunsPrecision() {
    let result = runProgram(["train", "--resume", "logs/x", "--precision", "bf16"])

    #expect(result.status == 64)
    #expect(result.error.hasPrefix("error: --precision cannot be given with --resume"))
  }

  @Test(arguments: ["evaluate", "predict", "report"])
  func modelCommandsRejectAnUnknownPrecision(command: String) {
    let result = runProgram([command, "--model", "m.safetensors", "--precision", "fp8", "x"])

    #expect(result.status == 64)
    #expect(result.error.hasPrefix("error: "))
    #expect(runProgram([command, "--help"]).out.contains("--precision P"))
  }

  // bf16 only where the CPU has it.
  @Test(arguments: Precision.allCases.filter(\.isAvailable))
  func modelFilesLoadInTheAskedPrecision(precision: Precision) throws {
    let folder = try TemporaryDirectory()
    let path = folder.file("m.safetensors").path
    try ReportCommandTests.writeFreshModel(to: path)
    let model = try ModelLoading.notMNISTModel(file: path, precision: precision)

    #expect(model.precision == precision)
  }

  @Test(.enabled(if: Precision.bf16.isAvailable, "needs AVX-512 BF16"))
  func convertedModelKeepsItsWeights() throws {
    var generator = SeededGenerator(seed: 4)
    let model = try Model(named: "tiny", generator: &generator)
    let converted = try ModelLoading.converted(model, to: .bf16)

    #expect(converted.precision == .bf16)
    #expect(converted.parameters.map(\.kerasValue) == model.parameters.map(\.kerasValue))
    #expect(try ModelLoading.converted(model, to: .fp32) === model)
  }

  @Test(.enabled(if: Precision.bf16.isAvailable, "needs AVX-512 BF16"))
  func settingsBlockShowsThePrecision() throws {
    let folder = try TemporaryDirectory()
    let logs = folder.file("logs").path
    let data = try SyntheticData()
    let result = runProgram(
      data.trainArguments(logDirectory: logs, epochs: 1) + ["--precision", "bf16"])

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(result.error.contains("precision"))
    #expect(result.error.contains("bf16"))
    let checkpoint = try Checkpoint.read(
      from: URL(fileURLWithPath: logs + "/checkpoint.safetensors"))
    #expect(checkpoint.configuration.precision == .bf16)
    #expect(checkpoint.model.precision == .bf16)
  }
}
