import Foundation
import Testing
import TestSupport

import Datasets

@Suite struct DataReportTests {
  static let report = DataReport(
    sources: [
      DataReport.Source(
        path: "small.tar.gz", images: 3, perClass: [2, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        distinctContents: 2, duplicatesWithin: 2, blankImages: 1,
        skipped: [SkippedEntry(entry: "s/A/\"q\".png", reason: .empty)], seconds: 0.25),
      DataReport.Source(
        path: "t-images-idx3-ubyte", images: 1, perClass: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        distinctContents: 1, duplicatesWithin: 0, skipped: [], seconds: 0.0125),
    ],
    overlaps: [
      DataReport.Overlap(
        a: "small.tar.gz", b: "t-images-idx3-ubyte", sharedImages: 2, sharedContents: 1,
        labelConflicts: 1),
      DataReport.Overlap(
        a: "t-images-idx3-ubyte", b: "small.tar.gz", sharedImages: 1, sharedContents: 1,
        labelConflicts: 1),
    ],
    labelConflicts: 1, seconds: 1.5)

  @Test func jsonTextIsPinned() {
    #expect(
      Self.report.jsonText
        == """
        {"sources": [{"path": "small.tar.gz", "images": 3, \
        "perClass": [2, 1, 0, 0, 0, 0, 0, 0, 0, 0], \
        "distinctContents": 2, "skipped": [{"entry": "s/A/\\"q\\".png", "reason": "empty file"}], \
        "duplicatesWithin": 2, "blankImages": 1, "seconds": 0.250}, \
        {"path": "t-images-idx3-ubyte", \
        "images": 1, "perClass": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "distinctContents": 1, \
        "skipped": [], "duplicatesWithin": 0, "blankImages": 0, "seconds": 0.013}], \
        "overlaps": [{"a": "small.tar.gz", \
        "b": "t-images-idx3-ubyte", "sharedImages": 2, "sharedContents": 1, "labelConflicts": 1}, \
        {"a": "t-images-idx3-ubyte", "b": "small.tar.gz", "sharedImages": 1, "sharedContents": 1, \
        "labelConflicts": 1}], \
        "labelConflicts": 1, "seconds": 1.500}

        """)
  }

  @Test func jsonTextParsesWithTheKeysTheProgramPromises() throws {
    let object = try JSONSerialization.jsonObject(with: Data(Self.report.jsonText.utf8))
    let root = try #require(object as? [String: Any])
    let sources = try #require(root["sources"] as? [[String: Any]])
    let overlaps = try #require(root["overlaps"] as? [[String: Any]])

    #expect(Set(root.keys) == ["sources", "overlaps", "labelConflicts", "seconds"])
    #expect(sources.count == 2)
    #expect(sources[0]["path"] as? String == "small.tar.gz")
    #expect(sources[0]["perClass"] as? [Int] == [2, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    #expect(sources[0]["duplicatesWithin"] as? Int == 2)
    let skipped = try #require(sources[0]["skipped"] as? [[String: String]])
    #expect(skipped == [["entry": "s/A/\"q\".png", "reason": "empty file"]])
    #expect(overlaps.map { $0["sharedImages"] as? Int } == [2, 1])
    #expect(root["labelConflicts"] as? Int == 1)
  }

  @Test func plainTextIsAnAlignedTable() {
    let expected = """
      source                images      A      B      C      D      E      F      G      H      I      J  distinct  dup-within  blank  skipped  seconds
      small.tar.gz               3      2      1      0      0      0      0      0      0      0      0         2           2      1        1    0.250
      t-images-idx3-ubyte        1      0      0      0      0      0      0      0      0      0      1         1           0      0        0    0.013

      skipped in small.tar.gz:
        s/A/"q".png: empty file

      overlaps (shared: images of a whose exact pixels also occur in b; contents: distinct contents in both; conflicts: those with more than one label):
        a                    b                     shared  contents  conflicts
        small.tar.gz         t-images-idx3-ubyte        2         1          1
        t-images-idx3-ubyte  small.tar.gz               1         1          1

      label conflicts (contents with more than one label): 1
      time: 1.500 s

      """
    #expect(Self.report.plainText == expected)
  }

  @Test func summarizeCountsDuplicatesOverlapsAndConflicts() {
    let pattern = FixtureBuilders.pattern
    let a = ImageSet(
      pixels: pattern(1) + pattern(1) + pattern(2), labels: [0, 0, 3], names: ["x", "y", "z"])
    let b = ImageSet(pixels: pattern(2) + pattern(9), labels: [4, 4], names: ["idx#0", "idx#1"])
    let report = DataReport.summarize([
      LoadedSource(path: "a", images: a, skipped: [SkippedEntry(entry: "q", reason: .notPNG)]),
      LoadedSource(path: "b", images: b, skipped: []),
    ])

    #expect(report.sources.map(\.images) == [3, 2])
    #expect(report.sources.map(\.duplicatesWithin) == [2, 0])
    #expect(report.sources.map(\.distinctContents) == [2, 2])
    #expect(report.sources.map(\.blankImages) == [0, 0])
    #expect(report.sources[0].perClass == [2, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    #expect(report.sources[0].skipped == [SkippedEntry(entry: "q", reason: .notPNG)])
    #expect(
      report.overlaps
        == [
          DataReport.Overlap(
            a: "a", b: "b", sharedImages: 1, sharedContents: 1, labelConflicts: 1),
          DataReport.Overlap(
            a: "b", b: "a", sharedImages: 1, sharedContents: 1, labelConflicts: 1),
        ])
    #expect(report.labelConflicts == 1)
  }

  @Test func inspectLoadsEachPath() throws {
    let folder = TemporaryFolder()
    let tar = FixtureBuilders.tar([
      .file("d/A/1.png", FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 1))),
      .file("d/B/2.png", []),
    ])
    let path = folder.write(tar, "d.tar")

    let report = try DataReport.inspect(paths: [path, path])

    #expect(report.sources.map(\.images) == [1, 1])
    #expect(report.sources[0].skipped == [SkippedEntry(entry: "d/B/2.png", reason: .empty)])
    #expect(report.overlaps.map(\.sharedImages) == [1, 1])
  }

  @Test func inspectUsesGivenLabelsFiles() throws {
    let folder = TemporaryFolder()
    let images = folder.write(
      FixtureBuilders.idxImages(FixtureBuilders.pattern(seed: 1), count: 1), "pictures.bin")
    let labels = folder.write(FixtureBuilders.idxLabels([6]), "letters.bin")

    let report = try DataReport.inspect(paths: [images], labelsPaths: [images: labels])

    #expect(report.sources[0].perClass == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
  }

  @Test func summarizeShowsGivenLoadTimes() {
    let set = ImageSet(pixels: FixtureBuilders.pattern(seed: 1), labels: [2], names: ["x"])
    let report = DataReport.summarize(
      [LoadedSource(path: "a", images: set, skipped: [])], loadSeconds: [1.25])
    #expect(report.sources[0].seconds == 1.25)
    #expect(report.seconds >= 1.25)
  }

  @Test func inspectThrowsForAnUnreadableSource() {
    #expect(throws: DatasetError.fileNotFound(path: "/nonexistent/x.tar")) {
      try DataReport.inspect(paths: ["/nonexistent/x.tar"])
    }
  }
}
