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

/// The three sources, loaded once for all tests of the suite.
private let loaded: Result<[LoadedSource], DatasetError> = Result {
  () throws(DatasetError) -> [LoadedSource] in
  try [smallTar, largeTar, t10k].map { path throws(DatasetError) in try SourceLoader.load(path) }
}

private func sources() throws -> (small: LoadedSource, large: LoadedSource, t10k: LoadedSource) {
  let all = try loaded.get()
  return (all[0], all[1], all[2])
}

/// The `tar_path,label` of each readable row of a manifest, in file order.
private func manifestRows(_ name: String) throws -> [(path: String, label: UInt8)] {
  let text = try String(contentsOfFile: dataFolder + "/manifests/" + name, encoding: .utf8)
  return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
    let fields = line.split(separator: ",", omittingEmptySubsequences: false)
    guard fields[6] == "1", let label = UInt8(fields[1]) else { return nil }
    return (String(fields[0]), label)
  }
}

@Suite(.tags(.dataset), .enabled(if: hasData, "needs ../shared/notmnist"))
struct RealDataTests {
  @Test func smallTarHas3460ImagesAndNamesItsTwoEmptyFiles() throws {
    let small = try sources().small
    #expect(small.images.count == 3460)
    #expect(small.images.countsPerClass == [358, 356, 355, 357, 359, 361, 357, 357, 242, 358])
    #expect(
      small.skipped == [
        SkippedEntry(
          entry: "notMNIST_small/A/RGVtb2NyYXRpY2FCb2xkT2xkc3R5bGUgQm9sZC50dGY=.png",
          reason: .empty),
        SkippedEntry(
          entry: "notMNIST_small/F/Q3Jvc3NvdmVyIEJvbGRPYmxpcXVlLnR0Zg==.png", reason: .empty),
      ])
  }

  @Test func largeTarHas3493ImagesAndNothingSkipped() throws {
    let large = try sources().large
    #expect(large.images.count == 3493)
    #expect(large.images.countsPerClass == [350, 349, 349, 349, 350, 349, 348, 350, 349, 350])
    #expect(large.skipped.isEmpty)
  }

  @Test func tarNamesAndLabelsMatchTheManifests() throws {
    let (small, large, _) = try sources()
    let smallRows = try manifestRows("small_extra_manifest.csv")
    let largeRows = try manifestRows("large_sample_manifest.csv")
    // Compared as Booleans: a failure would otherwise print thousands of names.
    #expect(smallRows.count == 3460)
    #expect(largeRows.count == 3493)
    let smallMatches =
      small.images.names == smallRows.map(\.path)
      && small.images.labels == smallRows.map(\.label)
    let largeMatches =
      large.images.names == largeRows.map(\.path)
      && large.images.labels == largeRows.map(\.label)
    #expect(smallMatches)
    #expect(largeMatches)
  }

  @Test func t10kHas1000PerClassAnd253DuplicatedImages() throws {
    let report = DataReport.summarize([try sources().t10k])
    #expect(report.sources[0].images == 10_000)
    #expect(report.sources[0].perClass == [Int](repeating: 1000, count: 10))
    #expect(report.sources[0].duplicatesWithin == 253)
    #expect(report.sources[0].distinctContents == 9804)
    #expect(report.labelConflicts == 0)
  }

  @Test(arguments: [
    ("small_extra", 0),
    ("large_sample", 1),
  ])
  func derivedIDXFilesArePixelEqualToTheTars(name: String, index: Int) throws {
    let tar = try loaded.get()[index].images
    let idx = try SourceLoader.load(dataFolder + "/derived/\(name)-images-idx3-ubyte.gz").images
    #expect(idx.count == tar.count)
    #expect(idx.pixels == tar.pixels)
    #expect(idx.labels == tar.labels)
  }

  @Test func duplicatesAgreeWithTheDataReadme() throws {
    let (small, large, test) = try sources()
    let report = DataReport.summarize([small, large, test])
    let overlaps = Dictionary(
      uniqueKeysWithValues: report.overlaps.map {
        ("\($0.a.split(separator: "/").last!)>\($0.b.split(separator: "/").last!)", $0)
      })

    #expect(report.sources.map(\.duplicatesWithin) == [64, 49, 253])
    #expect(report.sources.map(\.distinctContents) == [3428, 3449, 9804])
    // README: small_extra vs t10k: 0; large_sample vs t10k: 17 contents, 58 large files,
    // 157 t10k images (141 white "I" plus 16 glyphs); small_extra vs large_sample: 19 contents,
    // 20 large files.
    let smallName = "notMNIST_small_extra.tar.gz"
    let largeName = "notMNIST_large_sample.tar.gz"
    let testName = "t10k-images-idx3-ubyte.gz"
    #expect(overlaps["\(smallName)>\(testName)"]?.sharedImages == 0)
    #expect(overlaps["\(testName)>\(smallName)"]?.sharedImages == 0)
    #expect(overlaps["\(largeName)>\(testName)"]?.sharedImages == 58)
    #expect(overlaps["\(largeName)>\(testName)"]?.sharedContents == 17)
    #expect(overlaps["\(testName)>\(largeName)"]?.sharedImages == 157)
    #expect(overlaps["\(largeName)>\(smallName)"]?.sharedImages == 20)
    #expect(overlaps["\(smallName)>\(largeName)"]?.sharedImages == 19)
    #expect(overlaps["\(smallName)>\(largeName)"]?.sharedContents == 19)
    #expect(report.overlaps.count == 6)
    // The glyph labelled C, G and I in the large sample is in t10k as a C (checked against
    // the manifests' pixel hashes); no other shared content changes label.
    #expect(overlaps["\(largeName)>\(testName)"]?.labelConflicts == 1)
    #expect(overlaps["\(testName)>\(largeName)"]?.labelConflicts == 1)
    #expect(report.overlaps.map(\.labelConflicts).reduce(0, +) == 2)
    // One content under C, G and I in the large sample, one under I and J in the small one.
    #expect(report.labelConflicts == 2)
    #expect(DataReport.summarize([large]).labelConflicts == 1)
    #expect(DataReport.summarize([small]).labelConflicts == 1)
  }

  @Test func allWhiteIsAreWhereTheReadmeSays() throws {
    let (small, large, test) = try sources()
    func whiteImageLabels(_ set: ImageSet) -> [UInt8] {
      set.labels.indices.filter { set.pixels(at: $0).allSatisfy { $0 == 255 } }.map {
        set.labels[$0]
      }
    }
    #expect(whiteImageLabels(test.images) == [UInt8](repeating: 8, count: 141))
    #expect(whiteImageLabels(large.images) == [UInt8](repeating: 8, count: 40))
    #expect(whiteImageLabels(small.images).isEmpty)
    // The report's blank count finds exactly these (no other one-colour image exists here).
    let report = DataReport.summarize([small, large, test])
    #expect(report.sources.map(\.blankImages) == [0, 40, 141])
  }

  @Test func duplicateAndLeakRemovalDropTheExpectedCounts() throws {
    let (small, large, test) = try sources()
    let deduplicated = test.images.removingDuplicates()
    #expect(deduplicated.droppedCount == 196)
    #expect(deduplicated.images.count == 9804)

    let training = large.images.removingImages(sharedWith: [test.images, small.images])
    // 58 shared with t10k and 20 with small_extra; the 40 white "I"s are not among the 20.
    #expect(training.droppedCount == 78)
  }

  @Test func inspectReadsEveryKindOfSource() throws {
    let report = try DataReport.inspect(paths: [smallTar, t10k])
    #expect(report.sources.map(\.images) == [3460, 10_000])
    #expect(report.sources[0].skipped.count == 2)
    #expect(report.jsonText.contains("\"sharedImages\": 0"))
  }
}
