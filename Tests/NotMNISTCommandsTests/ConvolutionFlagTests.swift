import Foundation
import NeuralNet
import TestSupport
import Testing
import Training

@testable import NotMNISTCommands

@Suite struct ConvolutionFlagTests {
  @Test(arguments: [
    (["--convolution", "direct"], ConvolutionAlgorithm.direct),
    (["--convolution", "winograd"], .winograd), ([], .winograd),
  ])
  func trainStoresTheAlgorithmInItsConfiguration(
    flags: [String], expected: ConvolutionAlgorithm
  ) throws {
    let folder = try TemporaryDirectory()
    let arguments = try ParsedArguments(
      ["--train", "x", "--log-dir", folder.file("logs").path] + flags,
      specs: TrainCommand.options)

    #expect(try TrainCommand.validate(arguments).configuration.convolutionAlgorithm == expected)
  }

  @Test func unknownAlgorithmIsAUsageError() {
    let result = runProgram(["train", "--train", "x", "--convolution", "fft"])

    #expect(result.status == 64)
    #expect(
      result.error.hasPrefix("error: --convolution must be one of direct, winograd, got 'fft'"))
  }

  @Test func resumeKeepsTheRunsAlgorithm() {
    let result = runProgram(["train", "--resume", "logs/x", "--convolution", "direct"])

    #expect(result.status == 64)
    #expect(result.error.hasPrefix("error: --convolution cannot be given with --resume"))
  }

  @Test func theRunShowsAndStoresItsAlgorithm() throws {
    let folder = try TemporaryDirectory()
    let logs = folder.file("logs").path
    let data = try SyntheticData()
    let result = runProgram(
      data.trainArguments(logDirectory: logs, epochs: 1) + ["--convolution", "direct"])

    #expect(result.status == 0, "stderr: \(result.error)")
    let row = result.error.split(separator: "\n").first { $0.contains("convolutions") }
    #expect(row?.hasSuffix("direct") == true, "settings row: \(String(describing: row))")
    let checkpoint = try Checkpoint.read(
      from: URL(fileURLWithPath: logs + "/checkpoint.safetensors"))
    #expect(checkpoint.configuration.convolutionAlgorithm == .direct)
  }
}
