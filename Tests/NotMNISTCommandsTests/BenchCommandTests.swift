import Foundation
import NeuralNet
import TensorCore
import TestSupport
import Testing
import Training

@testable import NotMNISTCommands

@Suite struct BenchCommandTests {
  /// The flags of a run small enough for a test: the tiny model and one or two of everything.
  static let tinyRun = [
    "bench", "--model", "tiny", "--batch-size", "8", "--steps", "2", "--warmup", "1",
    "--latency-calls", "2", "--profile-steps", "1", "--loop-epochs", "1", "--loop-steps", "2",
    "--peak-size", "32",
  ]

  static let usageCases = [
    UsageCase(
      id: "unknown precision", arguments: ["--precision", "fp16"],
      message: "--precision must be one of fp32, bf16, got 'fp16'"),
    UsageCase(
      id: "unknown convolution algorithm", arguments: ["--convolution", "fft"],
      message: "--convolution must be one of direct, winograd, got 'fft'"),
    UsageCase(
      id: "zero steps", arguments: ["--steps", "0"],
      message: "--steps must be an integer in 1...100000, got '0'"),
    UsageCase(
      id: "unknown model", arguments: ["--model", "huge"],
      message: "--model must be one of reference, tiny, got 'huge'"),
    UsageCase(
      id: "zero threads", arguments: ["--threads", "0"],
      message: "--threads must be an integer in 1...1024, got '0'"),
    UsageCase(
      id: "stray argument", arguments: ["now"], message: "unexpected argument 'now'"),
    UsageCase(
      id: "value given to --json", arguments: ["--json=yes"], message: "--json takes no value"),
  ]

  @Test(arguments: usageCases)
  func badFlagsAreUsageErrors(_ usage: UsageCase) {
    let result = runProgram(["bench"] + usage.arguments)

    #expect(result.status == 64)
    #expect(result.out.isEmpty)
    #expect(result.error.hasPrefix("error: \(usage.message)\nusage: notmnist bench"))
  }

  @Test func defaultsAreTheReferenceAtBatch512InFP32() throws {
    let settings = try BenchCommand.validate(
      ParsedArguments([], specs: BenchCommand.options))

    #expect(settings == BenchCommand.Settings())
    #expect(settings.batchSize == 512)
    #expect(settings.precision == .fp32)
    #expect(settings.convolutionAlgorithm == .winograd)
    #expect(settings.modelName == "reference")
    #expect(settings.threads == nil)
  }

  @Test func flagsSetTheSettings() throws {
    let arguments = try ParsedArguments(
      [
        "--precision", "bf16", "--json", "--batch-size", "64", "--steps", "7", "--seed", "9",
        "--threads", "1", "--loop-steps", "3", "--convolution", "direct",
      ], specs: BenchCommand.options)
    let settings = try BenchCommand.validate(arguments)

    #expect(settings.precision == .bf16)
    #expect(settings.convolutionAlgorithm == .direct)
    #expect(settings.isJSON)
    #expect(settings.batchSize == 64)
    #expect(settings.steps == 7)
    #expect(settings.seed == 9)
    #expect(settings.threads == 1)
    #expect(settings.loopSteps == 3)
  }

  @Test func helpListsTheCommandAndItsFlags() {
    let result = runProgram(["bench", "--help"])

    #expect(result.status == 0)
    #expect(result.out.contains("usage: notmnist bench [--precision fp32|bf16] [--json]"))
    #expect(result.out.contains("--peak-size M"))
    #expect(runProgram(["help"]).out.contains("  bench "))
  }

  // bf16 only where the CPU has it.
  @Test(arguments: Precision.allCases.filter(\.isAvailable).map(\.rawValue))
  func jsonHasTheHeadlineFiguresAndOneRowPerLayer(precision: String) throws {
    let result = runProgram(Self.tinyRun + ["--precision", precision, "--json"])
    #expect(result.status == 0, "stderr: \(result.error)")
    let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8))
    let json = try #require(object as? [String: Any])

    for key in ["trainImagesPerSecond", "inferImagesPerSecond", "latencyMs"] {
      let value = try #require(json[key] as? Double, "\(key)")
      #expect(value > 0, "\(key)")
    }
    #expect((json["peakResidentBytes"] as? Int ?? 0) > 1_000_000)
    #expect(json["precision"] as? String == precision)
    // bf16 has no Winograd kernels, and the report says what ran.
    #expect(
      json["convolutionAlgorithm"] as? String == (precision == "bf16" ? "direct" : "winograd"))
    #expect(json["batchSize"] as? Int == 8)
    let layers = try #require(json["layers"] as? [[String: Any]])
    let names = ModelBuilder.tiny().layers.map(\.name)
    #expect(layers.compactMap { $0["name"] as? String } == names)
    let conv = try #require(layers.first { $0["kind"] as? String == "Conv2D" })
    #expect(conv["forwardFLOPs"] as? Int == 2 * 8 * 14 * 14 * 8 * 9)
    #expect(conv["forwardGFLOPS"] is Double)
    let kernels = try #require(conv["kernels"] as? [String])
    #expect(kernels.count >= 1 && kernels.allSatisfy { $0.contains(":") }, "\(kernels)")
    let loop = try #require(json["loopOverhead"] as? [String: Any])
    #expect(loop["epochs"] as? Int == 1)
    #expect(loop["stepsPerEpoch"] as? Int == 2)
    let machine = try #require(json["machine"] as? [String: Any])
    #expect((machine["oneDNNVersion"] as? String)?.hasPrefix("2.") == true)
  }

  @Test func textHasTheSummaryAndTheLayerTable() {
    let result = runProgram(Self.tinyRun)

    #expect(result.status == 0, "stderr: \(result.error)")
    #expect(
      result.out.hasPrefix(
        "notmnist bench: tiny model, fp32, winograd convolutions, batch 8, seed 0\n"))
    #expect(result.out.contains("training loop: 1 epoch x 2 steps in "))
    #expect(result.out.contains("training step (8 images, 2x)"))
    #expect(result.out.contains("while training (VmHWM read right after the training"))
    #expect(result.out.contains("attainable peak (matmul): "))
    #expect(result.out.contains("\nconv2d "))
    #expect(result.out.contains("\ntotal "))
    #expect(result.error.contains("bench: training, 1 + 2 steps of 8"))
  }

  @Test func statusLinesAreReadInBytes() {
    let status = "Name:\tnotmnist\nVmPeak:\t  2000 kB\nVmHWM:\t    123 kB\nVmRSS:\t 100 kB\n"

    #expect(ProcessMemory.value(of: "VmHWM", in: status) == 123 * 1024)
    #expect(ProcessMemory.value(of: "VmSwap", in: status) == nil)
    #expect(ProcessMemory.value(of: "VmHWM", in: nil) == nil)
    #expect((ProcessMemory.peakResidentBytes() ?? 0) > 0)
  }

  @Test func timingsGiveMedianMeanAndNinetiethPercentile() {
    let timing = BenchReport.Timing(seconds: [0.004, 0.001, 0.003, 0.002, 0.010])

    #expect(timing.count == 5)
    #expect(abs(timing.medianMs - 3) < 1e-9)
    #expect(abs(timing.meanMs - 4) < 1e-9)
    #expect(abs(timing.p90Ms - 10) < 1e-9)
  }
}
