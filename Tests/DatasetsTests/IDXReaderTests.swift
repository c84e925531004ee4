import Testing
import TestSupport

@testable import Datasets

/// A temporary folder that removes itself.
final class TemporaryFolder {
  let path = FixtureBuilders.makeTemporaryFolder()

  func write(_ bytes: [UInt8], _ name: String) -> String {
    let full = path + "/" + name
    FixtureBuilders.write(bytes, to: full)
    return full
  }

  deinit { FixtureBuilders.removeFolder(path) }
}

@Suite struct IDXReaderTests {
  static let pixels = (0..<3).flatMap { FixtureBuilders.pattern(seed: $0) }
  static let labels: [UInt8] = [4, 0, 9]

  @Test func readsPlainFilesWithLabelsBeside() throws {
    let folder = TemporaryFolder()
    let images = folder.write(
      FixtureBuilders.idxImages(Self.pixels, count: 3), "train-images-idx3-ubyte")
    _ = folder.write(FixtureBuilders.idxLabels(Self.labels), "train-labels-idx1-ubyte")

    let set = try IDXReader.read(imagesAt: images)

    #expect(set.pixels == Self.pixels)
    #expect(set.labels == Self.labels)
    #expect(set.names == ["idx#0", "idx#1", "idx#2"])
  }

  @Test func detectsGzipByContentNotByName() throws {
    let folder = TemporaryFolder()
    let images = folder.write(
      FixtureBuilders.gzip(FixtureBuilders.idxImages(Self.pixels, count: 3)), "x-images-idx3-ubyte")
    let labels = folder.write(FixtureBuilders.idxLabels(Self.labels), "x-labels-idx1-ubyte.gz")

    let set = try IDXReader.read(imagesAt: images, labelsAt: labels)

    #expect(set.pixels == Self.pixels)
    #expect(set.labels == Self.labels)
  }

  @Test(arguments: [
    ("t10k-images-idx3-ubyte.gz", ["t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte"]),
    ("d/train-images-idx3-ubyte", ["d/train-labels-idx1-ubyte", "d/train-labels-idx1-ubyte.gz"]),
    ("train-images.idx3-ubyte", ["train-labels.idx1-ubyte", "train-labels.idx1-ubyte.gz"]),
    ("pictures.bin", []),
  ])
  func labelsAreLookedUpBesideTheImages(images: String, expected: [String]) {
    #expect(IDXReader.labelsPathCandidates(forImagesAt: images) == expected)
  }
}

// MARK: - Header faults

/// One faulty idx pair and the error it must raise.
struct IDXFaultCase: CustomTestStringConvertible, Sendable {
  var name: String
  var images: [UInt8]
  var labels: [UInt8]
  var error: @Sendable (_ imagesPath: String, _ labelsPath: String) -> DatasetError
  var testDescription: String { name }
}

extension IDXReaderTests {
  static let goodImages = FixtureBuilders.idxImages(pixels, count: 3)
  static let goodLabels = FixtureBuilders.idxLabels(labels)

  static let faults: [IDXFaultCase] = [
    IDXFaultCase(
      name: "images gzip-compressed twice",
      images: FixtureBuilders.gzip(FixtureBuilders.gzip(goodImages)),
      labels: goodLabels,
      error: { i, _ in .idxMagic(path: i, found: 0x1F8B_0800, expected: 0x0803) }),
    IDXFaultCase(
      name: "labels file given as images", images: goodLabels, labels: goodLabels,
      error: { i, _ in .idxMagic(path: i, found: 0x0801, expected: 0x0803) }),
    IDXFaultCase(
      name: "magic of another type",
      images: FixtureBuilders.idxImages(pixels, count: 3, magic: 0x0D03),
      labels: goodLabels,
      error: { i, _ in .idxMagic(path: i, found: 0x0D03, expected: 0x0803) }),
    IDXFaultCase(
      name: "two dimensions", images: FixtureBuilders.idxImages(pixels, count: 3, magic: 0x0802),
      labels: goodLabels,
      error: { i, _ in .idxDimensions(path: i, found: 2, expected: 3) }),
    IDXFaultCase(
      name: "32x32 images",
      images: FixtureBuilders.idxImages(pixels, count: 3, rows: 32, columns: 32),
      labels: goodLabels,
      error: { i, _ in .idxImageSize(path: i, rows: 32, columns: 32) }),
    IDXFaultCase(
      name: "payload cut short", images: Array(goodImages.dropLast(5)), labels: goodLabels,
      error: { i, _ in .idxLength(path: i, found: 2363, expected: 2368) }),
    IDXFaultCase(
      name: "payload too long", images: goodImages + [0], labels: goodLabels,
      error: { i, _ in .idxLength(path: i, found: 2369, expected: 2368) }),
    IDXFaultCase(
      name: "header cut short", images: Array(goodImages.prefix(10)), labels: goodLabels,
      error: { i, _ in .idxLength(path: i, found: 10, expected: 16) }),
    IDXFaultCase(
      name: "labels cut short", images: goodImages, labels: Array(goodLabels.dropLast()),
      error: { _, l in .idxLength(path: l, found: 10, expected: 11) }),
    IDXFaultCase(
      name: "fewer labels than images", images: goodImages,
      labels: FixtureBuilders.idxLabels([1, 2]),
      error: { i, l in .idxCountMismatch(imagesPath: i, imageCount: 3, labelsPath: l, labelCount: 2)
      }),
    IDXFaultCase(
      name: "label out of range", images: goodImages,
      labels: FixtureBuilders.idxLabels([1, 10, 2]),
      error: { _, l in .idxLabelOutOfRange(path: l, index: 1, value: 10) }),
    IDXFaultCase(
      name: "images file given as labels", images: goodImages, labels: goodImages,
      error: { _, l in .idxMagic(path: l, found: 0x0803, expected: 0x0801) }),
    IDXFaultCase(
      name: "truncated gzip", images: Array(FixtureBuilders.gzip(goodImages).dropLast(100)),
      labels: goodLabels,
      error: { i, _ in
        .gzip(path: i, reason: "gzip data ends early after 2291 bytes (2276 bytes unpacked)")
      }),
  ]

  @Test(arguments: faults)
  func rejectsFaultyFile(_ testCase: IDXFaultCase) {
    let folder = TemporaryFolder()
    let images = folder.write(testCase.images, "f-images-idx3-ubyte")
    let labels = folder.write(testCase.labels, "f-labels-idx1-ubyte")
    #expect(throws: testCase.error(images, labels)) {
      try IDXReader.read(imagesAt: images)
    }
  }

  @Test func missingLabelsFileNamesTheCandidates() {
    let folder = TemporaryFolder()
    let images = folder.write(Self.goodImages, "t-images-idx3-ubyte.gz")
    #expect(
      throws: DatasetError.labelsNotFound(
        imagesPath: images,
        tried: [folder.path + "/t-labels-idx1-ubyte.gz", folder.path + "/t-labels-idx1-ubyte"])
    ) {
      try IDXReader.read(imagesAt: images)
    }
  }
}
