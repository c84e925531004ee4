import Datasets
import TestSupport
import Testing

@testable import NotMNISTCommands

@Suite struct FlaggedImagesTests {
  /// Images built from patterns: `(pattern seed or a flat value, label)`.
  static func set(_ images: [(pixels: [UInt8], label: UInt8)]) -> ImageSet {
    ImageSet(
      pixels: images.flatMap(\.pixels), labels: images.map(\.label),
      names: images.indices.map { "image\($0)" })
  }

  static func flat(_ value: UInt8) -> [UInt8] { [UInt8](repeating: value, count: 784) }

  @Test func findsBlankImagesOfAnyValue() {
    var nearlyFlat = Self.flat(255)
    nearlyFlat[783] = 254
    let images = Self.set([
      (Self.flat(255), 8), (FixtureBuilders.pattern(seed: 1), 0), (Self.flat(0), 3),
      (nearlyFlat, 8),
    ])

    let flagged = FlaggedImages(images)

    #expect(flagged.blankImages == [0, 2])
    #expect(flagged.conflicts.isEmpty)
    #expect(!flagged.isEmpty)
  }

  @Test func groupsDuplicatesWithConflictingLettersOneImagePerLetter() {
    let expert = FixtureBuilders.pattern(seed: 5)
    let plain = FixtureBuilders.pattern(seed: 6)
    // Content `expert` under I, C, I and G; `plain` twice under A only (a duplicate, no conflict).
    let images = Self.set([
      (plain, 0), (expert, 8), (expert, 2), (plain, 0), (expert, 8), (expert, 6),
    ])

    let flagged = FlaggedImages(images)

    #expect(
      flagged.conflicts == [FlaggedImages.Conflict(representatives: [2, 5, 1], imageCount: 4)])
    #expect(flagged.blankImages.isEmpty)
  }

  @Test func cleanDataFlagsNothing() {
    let images = Self.set((0..<10).map { (FixtureBuilders.pattern(seed: $0), UInt8($0)) })
    let flagged = FlaggedImages(images)
    #expect(flagged.isEmpty)
    #expect(flagged.blankImages.isEmpty && flagged.conflicts.isEmpty)
  }

  @Test(
    .tags(.dataset), .enabled(if: PictureChecks.hasData, "needs ../shared/notmnist"))
  func largeSampleHasFortyWhiteIAndOneExpertGlyphUnderCGI() throws {
    let loaded = try SourceLoader.load(PictureChecks.dataFolder + "/notMNIST_large_sample.tar.gz")
    let images = loaded.images

    let flagged = FlaggedImages(images)

    // The data README: 40 completely white "I"s, one content under C, G and I.
    #expect(flagged.blankImages.count == 40)
    #expect(flagged.blankImages.allSatisfy { images.labels[$0] == 8 })
    #expect(flagged.blankImages.allSatisfy { images.pixels(at: $0).first == 255 })
    #expect(flagged.conflicts.count == 1)
    #expect(flagged.conflicts.first?.representatives.map { images.labels[$0] } == [2, 6, 8])
    #expect(flagged.conflicts.first?.imageCount == 3)
  }
}
