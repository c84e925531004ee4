import Foundation
import Testing

import Datasets

extension Tag {
  /// Tests that read the real notMNIST files in `../shared/notmnist`.
  @Tag static var dataset: Self
}

/// The real notMNIST files beside the package (`../shared/notmnist`), if present.
private let dataFolder: String = {
  let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/notmnist").path
}()

private let hasData = FileManager.default.fileExists(
  atPath: dataFolder + "/notMNIST_small_extra.tar.gz")

private let smallTar = dataFolder + "/notMNIST_small_extra.tar.gz"
private let largeTar = dataFolder + "/notMNIST_large_sample.tar.gz"
private let t10k = dataFolder + "/t10k-images-idx3-ubyte.gz"
private let smallIDX = dataFolder + "/derived/small_extra-images-idx3-ubyte.gz"
private let largeIDX = dataFolder + "/derived/large_sample-images-idx3-ubyte.gz"

@Suite(.tags(.dataset), .enabled(if: hasData, "needs ../shared/notmnist"))
struct RealDataTests {
  @Test func printsReport() throws {
    let report = try DataReport.inspect(paths: [smallTar, largeTar, t10k, smallIDX, largeIDX])
    print(report.plainText)
    print(report.jsonText)
  }
}
