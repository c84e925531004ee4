import Foundation
import Testing
import TestSupport

@testable import Datasets

/// A small notMNIST-style tree with good images, broken files and junk, in sorted path order.
enum SampleTree {
  static let good = FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 0))

  static let members: [(String, [UInt8])] = [
    (".DS_Store", [0, 0, 0, 1]),
    (".hidden/A/y.png", good),
    ("A/._a1.png", [0, 5, 22, 7]),
    ("A/a1.png", good),
    ("A/a2.png", FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 1))),
    ("C/bad.png", Array("hello".utf8)),
    ("C/cut.png", Array(good.prefix(100))),
    ("D/big.png", FixtureBuilders.grayPNG([UInt8](repeating: 1, count: 32 * 28), width: 32)),
    ("E/notes.txt", Array("notes".utf8)),
    ("J/empty.png", []),
    ("J/j1.png", FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 3))),
    ("K/k.png", good),
    ("README.md", Array("readme".utf8)),
    ("Thumbs.db", [1]),
    ("__MACOSX/A/._a1.png", [0, 5, 22, 7]),
    ("b/b1.PNG", FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: 2))),
    ("stray.png", good),
  ]

  static let expectedNames = ["A/a1.png", "A/a2.png", "J/j1.png", "b/b1.PNG"]
  static let expectedLabels: [UInt8] = [0, 0, 9, 1]
  static let expectedPixels = [0, 1, 3, 2].flatMap { FixtureBuilders.pattern(seed: $0) }
  static let expectedSkipped: [(String, SkipReason)] = [
    ("C/bad.png", .notPNG),
    ("C/cut.png", .truncated),
    ("D/big.png", .wrongSize(width: 32, height: 28)),
    ("E/notes.txt", .notPNG),
    ("J/empty.png", .empty),
    ("K/k.png", .noLetterFolder),
    ("stray.png", .noLetterFolder),
  ]

  static func archiveMembers(under root: String) -> [FixtureBuilders.ArchiveMember] {
    [.folder(root + "/")] + members.map { .file(root + "/" + $0.0, $0.1) }
  }

  static func expect(_ loaded: LoadedSource, prefix: String = "") {
    #expect(loaded.images.names == expectedNames.map { prefix + $0 })
    #expect(loaded.images.labels == expectedLabels)
    #expect(loaded.images.pixels == expectedPixels)
    #expect(
      loaded.skipped == expectedSkipped.map { SkippedEntry(entry: prefix + $0.0, reason: $0.1) })
  }
}

@Suite struct SourceLoaderTests {
  @Test func readsFolderTreeSkippingBrokenFilesAndJunk() throws {
    let folder = TemporaryFolder()
    for (name, bytes) in SampleTree.members { _ = folder.write(bytes, "data/" + name) }

    let loaded = try SourceLoader.load(folder.path + "/data")

    SampleTree.expect(loaded)
  }

  @Test(arguments: ["tree.tar", "tree.tar.gz", "tree.tgz", "tree.zip", "TREE.TAR.GZ"])
  func readsArchivesStreaming(name: String) throws {
    let folder = TemporaryFolder()
    let members = SampleTree.archiveMembers(under: "notMNIST_x")
    let tar = FixtureBuilders.tar(members)
    let bytes: [UInt8]
    switch name.lowercased() {
    case "tree.tar": bytes = tar
    case "tree.zip": bytes = FixtureBuilders.zip(members)
    default: bytes = FixtureBuilders.gzip(tar)
    }
    let path = folder.write(bytes, name)

    let loaded = try SourceLoader.load(path)

    #expect(try SourceLoader.kind(of: path) == .archive)
    SampleTree.expect(loaded, prefix: "notMNIST_x/")
  }

  @Test func readsUstarNamesLongerThan100BytesThroughThePrefixField() throws {
    let folder = TemporaryFolder()
    let long =
      "deep/" + String(repeating: "d", count: 60) + "/G/"
      + String(repeating: "q", count: 70) + ".png"
    let pixels = FixtureBuilders.pattern(seed: 9)
    let path = folder.write(
      FixtureBuilders.gzip(FixtureBuilders.tar([.file(long, FixtureBuilders.grayPNG(pixels))])),
      "long.tar.gz")

    let loaded = try SourceLoader.load(path)

    #expect(long.utf8.count == 142)
    #expect(loaded.images.names == [long])
    #expect(loaded.images.labels == [6])
    #expect(loaded.images.pixels == pixels)
  }

  @Test func workerCountDoesNotChangeTheResult() throws {
    let folder = TemporaryFolder()
    let members = (0..<300).map { index in
      FixtureBuilders.ArchiveMember.file(
        "s/\(["A", "B", "C"][index % 3])/\(index).png",
        index % 17 == 0 ? [] : FixtureBuilders.grayPNG(FixtureBuilders.pattern(seed: index)))
    }
    let path = folder.write(FixtureBuilders.tar(members), "many.tar")

    let one = try SourceLoader.load(path, workerCount: 1)
    let three = try SourceLoader.load(path, workerCount: 3)

    #expect(one == three)
    #expect(one.images.count == 282)
    #expect(one.skipped.count == 18)
    #expect(one.images.names.prefix(2) == ["s/B/1.png", "s/C/2.png"])
  }

  @Test func readsIDXSourceWithLabelsBeside() throws {
    let folder = TemporaryFolder()
    let pixels = FixtureBuilders.pattern(seed: 5)
    let path = folder.write(
      FixtureBuilders.gzip(FixtureBuilders.idxImages(pixels, count: 1)), "s-images-idx3-ubyte.gz")
    _ = folder.write(FixtureBuilders.idxLabels([7]), "s-labels-idx1-ubyte.gz")

    let loaded = try SourceLoader.load(path)

    #expect(try SourceLoader.kind(of: path) == .idx)
    #expect(loaded.images.labels == [7])
    #expect(loaded.images.names == ["idx#0"])
    #expect(loaded.skipped.isEmpty)
  }
}

// MARK: - Unreadable sources

extension SourceLoaderTests {
  @Test func missingPathIsAnError() {
    #expect(throws: DatasetError.fileNotFound(path: "/nonexistent/notmnist.tar.gz")) {
      try SourceLoader.load("/nonexistent/notmnist.tar.gz")
    }
  }

  @Test func fileThatIsNeitherArchiveNorIDXIsNotADataSource() {
    let folder = TemporaryFolder()
    let path = folder.write(Array("# notMNIST\nsamples".utf8), "README.md")
    #expect(throws: DatasetError.notADataSource(path: path)) { try SourceLoader.load(path) }
    #expect(
      DatasetError.notADataSource(path: path).description
        == "\(path): not a data source: expected a folder, a .tar/.tar.gz/.tgz/.zip archive"
        + " or an idx file")
  }

  @Test func fileWithAnIDXNameKeepsTheIDXMagicError() {
    let folder = TemporaryFolder()
    let path = folder.write(Array("# notMNIST\nsamples".utf8), "s-images-idx3-ubyte")
    _ = folder.write(FixtureBuilders.idxLabels([7]), "s-labels-idx1-ubyte")
    #expect(throws: DatasetError.idxMagic(path: path, found: 0x2320_6E6F, expected: 0x0803)) {
      try SourceLoader.load(path)
    }
  }

  @Test func folderWithoutLetterFoldersIsAnError() {
    let folder = TemporaryFolder()
    _ = folder.write(Array("x".utf8), "data/README.md")
    #expect(throws: DatasetError.noImages(path: folder.path + "/data")) {
      try SourceLoader.load(folder.path + "/data")
    }
  }

  @Test func truncatedArchiveIsAnErrorNamingTheArchive() {
    let folder = TemporaryFolder()
    let tar = FixtureBuilders.tar(SampleTree.archiveMembers(under: "t"))
    let path = folder.write(Array(FixtureBuilders.gzip(tar).prefix(3000)), "cut.tar.gz")

    #expect {
      try SourceLoader.load(path)
    } throws: { error in
      guard case .archive(let errorPath, let reason) = error as? DatasetError else { return false }
      return errorPath == path && reason.contains("runcated")
    }
  }

  @Test func truncatedPlainTarIsAnError() {
    let folder = TemporaryFolder()
    let tar = FixtureBuilders.tar(SampleTree.archiveMembers(under: "t"))
    let path = folder.write(Array(tar.prefix(2000)), "cut.tar")

    #expect {
      try SourceLoader.load(path)
    } throws: { error in
      guard case .archive(let errorPath, let reason) = error as? DatasetError else { return false }
      return errorPath == path && reason.contains("runcated")
    }
  }

  @Test func fileThatIsNotAnArchiveIsAnError() {
    let folder = TemporaryFolder()
    let path = folder.write([UInt8](repeating: 0x41, count: 2000), "fake.zip")
    #expect(throws: DatasetError.archive(path: path, reason: "Unrecognized archive format")) {
      try SourceLoader.load(path)
    }
  }
}

// MARK: - Entry paths

extension SourceLoaderTests {
  @Test(arguments: [
    ("notMNIST_small/A/x.png", EntryPath.Classification.image(label: 0)),
    ("./j/x.PnG", .image(label: 9)),
    ("a/b/C/x.png", .image(label: 2)),
    ("A/x.jpg", .skipped(.notPNG)),
    ("K/x.png", .skipped(.noLetterFolder)),
    ("x.png", .skipped(.noLetterFolder)),
    ("AB/x.png", .skipped(.noLetterFolder)),
    ("README", .ignored),
    ("A/.DS_Store", .ignored),
    ("A/._x.png", .ignored),
    ("__MACOSX/A/x.png", .ignored),
    (".git/A/x.png", .ignored),
    ("A/Thumbs.db", .ignored),
  ])
  func classifiesEntryPaths(path: String, expected: EntryPath.Classification) {
    #expect(EntryPath.classify(path) == expected)
  }
}

// MARK: - Links

extension SourceLoaderTests {
  @Test func linksToFoldersInsideAFolderSourceAreNotFollowed() throws {
    let folder = TemporaryFolder()
    let pixels = FixtureBuilders.pattern(seed: 2)
    _ = folder.write(FixtureBuilders.grayPNG(pixels), "data/B/one.png")
    try FileManager.default.createSymbolicLink(
      atPath: folder.path + "/data/B/loop", withDestinationPath: folder.path + "/data")

    let loaded = try SourceLoader.load(folder.path + "/data")

    #expect(loaded.images.names == ["B/one.png"])
    #expect(loaded.images.pixels == pixels)
  }
}
