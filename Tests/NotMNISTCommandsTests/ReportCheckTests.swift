import Foundation
import Pictures
import TestSupport
import Testing

/// Chromium, when installed (`scripts/setup.sh` installs it, so CI has it).
private let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap {
  name in
  (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
    .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}.first

/// `scripts/check_report.sh`, which renders a report in headless Chromium.
@Suite(.tags(.chromium), .enabled(if: chromium != nil, "needs chromium (bash scripts/setup.sh)"))
struct ReportCheckTests {
  static let script = Python.packageRoot.appendingPathComponent("scripts/check_report.sh").path

  /// Runs the check on `html` and returns its exit status and both streams together.
  static func check(_ html: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [script, html]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
  }

  @Test func aReportRendersWithEveryPicture() throws {
    let data = try SyntheticData()
    let model = data.directory.file("model.safetensors").path
    try ReportCommandTests.writeFreshModel(to: model)
    let out = data.directory.file("report").path
    let report = runProgram(["report", "--model", model, "--data", data.testPath, "--out", out])
    #expect(report.status == 0, "stderr: \(report.error)")
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    let images = html.components(separatedBy: "<img ").count - 1

    let result = try Self.check(out + "/report.html")

    #expect(result.status == 0, "\(result.output)")
    #expect(
      result.output.hasPrefix(
        "check_report: ok: report.html: \(images) images decoded, \(images) seen on a 1280x"))
  }

  @Test func aBrokenPictureFailsTheCheck() throws {
    let folder = try TemporaryDirectory()
    let path = folder.file("broken.html").path
    let page = """
      <!DOCTYPE html><html><body><h1>Report</h1>
      <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAE=" width="1" height="1" alt="Curves">
      </body></html>
      """
    try page.write(toFile: path, atomically: true, encoding: .utf8)

    let result = try Self.check(path)

    #expect(result.status == 1)
    #expect(
      result.output.hasPrefix("check_report: FAILED: broken.html: image 'Curves' does not decode"))
  }

  @Test func aPageWhosePicturesDoNotShowFailsTheCheck() throws {
    let folder = try TemporaryDirectory()
    let path = folder.file("hidden.html").path
    let png = try Canvas(width: 8, height: 8, background: .black).pngData()
    let page = """
      <!DOCTYPE html><html><body style="visibility: hidden"><h1>Report</h1>
      <img src="data:image/png;base64,\(Data(png).base64EncodedString())" width="8" height="8"
      alt="Curves"></body></html>
      """
    try page.write(toFile: path, atomically: true, encoding: .utf8)

    let result = try Self.check(path)

    #expect(result.status == 1)
    #expect(
      result.output.hasPrefix("check_report: FAILED: hidden.html: the page is blank: 0.00% of"))
  }

  @Test func aPageWithoutPicturesFailsTheCheck() throws {
    let folder = try TemporaryDirectory()
    let path = folder.file("text.html").path
    try "<!DOCTYPE html><html><body><h1>Report</h1></body></html>".write(
      toFile: path, atomically: true, encoding: .utf8)

    let result = try Self.check(path)

    #expect(result.status == 1)
    #expect(result.output == "check_report: FAILED: text.html: the page has no <img> at all\n")
  }
}
