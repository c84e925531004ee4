import CArchive
import CZlib
import Foundation
import Testing

@testable import Datasets

extension FontFixtures {
  /// Inflates a gzip file with zlib, checking its CRC and length trailer.
  static func gunzip(_ data: Data) -> [UInt8]? {
    var stream = z_stream()
    guard
      inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { return nil }
    defer { inflateEnd(&stream) }
    var input = [UInt8](data)
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var status = Z_OK
    input.withUnsafeMutableBufferPointer { source in
      stream.next_in = source.baseAddress
      stream.avail_in = uInt(source.count)
      while status == Z_OK {
        let produced = chunk.withUnsafeMutableBufferPointer { target in
          stream.next_out = target.baseAddress
          stream.avail_out = uInt(target.count)
          status = inflate(&stream, Z_NO_FLUSH)
          return target.count - Int(stream.avail_out)
        }
        output += chunk.prefix(produced)
      }
    }
    return status == Z_STREAM_END ? output : nil
  }

  /// Every member of a tar.gz: its path and, for files, its bytes.
  static func readTarGz(_ path: String) -> [(path: String, isDirectory: Bool, bytes: Data)]? {
    guard let reader = archive_read_new() else { return nil }
    defer { archive_read_free(reader) }
    archive_read_support_filter_gzip(reader)
    archive_read_support_format_tar(reader)
    guard archive_read_open_filename(reader, path, 1 << 16) == ARCHIVE_OK else { return nil }
    var members: [(String, Bool, Data)] = []
    var entry: OpaquePointer?
    while archive_read_next_header(reader, &entry) == ARCHIVE_OK {
      let name = String(cString: archive_entry_pathname(entry))
      let isDirectory = archive_entry_filetype(entry) == UInt32(0o040000)
      var bytes = Data(count: Int(archive_entry_size(entry)))
      let count = bytes.count
      if count > 0 {
        let read = bytes.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, count) }
        guard read == count else { return nil }
      }
      members.append((name, isDirectory, bytes))
    }
    return members
  }
}

@Suite struct NotMNISTWriterTests {
  /// Two faces of two letters with recognisable pixels: face f, letter l is filled with
  /// `16 * f + l + 1`.
  static let result = FontRenderResult(
    letters: ["B", "J"], size: 4, faces: [face(0, name: "Sans.ttf"), face(1, name: "Serif.otf")],
    summary: FontRenderSummary())

  static func face(_ index: Int, name: String) -> RenderedFace {
    let images: [[UInt8]] = (0..<2).map { letter in
      [UInt8](repeating: UInt8(16 * index + letter + 1), count: 16)
    }
    return RenderedFace(
      fontPath: "/f/\(name)", faceIndex: 0, instance: 0, name: name, images: images)
  }

  struct OutputCase: Sendable, CustomTestStringConvertible {
    let path: String
    let expected: NotMNISTOutput?
    var testDescription: String { path }
  }

  @Test(arguments: [
    OutputCase(path: "out/x.tar.gz", expected: .tarGz(path: "out/x.tar.gz")),
    OutputCase(path: "x.tgz", expected: .tarGz(path: "x.tgz")),
    OutputCase(
      path: "d/fonts-images-idx3-ubyte.gz",
      expected: .idx(
        imagesPath: "d/fonts-images-idx3-ubyte.gz", labelsPath: "d/fonts-labels-idx1-ubyte.gz",
        isCompressed: true)),
    OutputCase(
      path: "fonts-images-idx3-ubyte",
      expected: .idx(
        imagesPath: "fonts-images-idx3-ubyte", labelsPath: "fonts-labels-idx1-ubyte",
        isCompressed: false)),
    OutputCase(path: "fonts.zip", expected: nil),
    OutputCase(path: "fonts-labels-idx1-ubyte.gz", expected: nil),
  ])
  func outputLayoutFollowsThePathEnding(_ outputCase: OutputCase) {
    let output = try? NotMNISTOutput(path: outputCase.path)
    #expect(output == outputCase.expected)
  }

  @Test func unsupportedOutputNamesThePath() {
    #expect(throws: RenderError.unsupportedOutput("fonts.zip")) {
      try NotMNISTOutput(path: "fonts.zip")
    }
    #expect(
      RenderError.unsupportedOutput("fonts.zip").description
        == "fonts.zip: expected a name ending in .tar.gz, .tgz, -images-idx3-ubyte or "
        + "-images-idx3-ubyte.gz")
  }

  @Test func idxFilesHaveMNISTHeadersAndLetterMajorOrder() throws {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let imagesPath = folder.appendingPathComponent("r-images-idx3-ubyte.gz").path
    let count = try NotMNISTWriter().write(Self.result, to: NotMNISTOutput(path: imagesPath))
    #expect(count == 4)

    let images = try #require(
      FontFixtures.gunzip(Data(contentsOf: URL(fileURLWithPath: imagesPath))))
    let labelsPath = folder.appendingPathComponent("r-labels-idx1-ubyte.gz").path
    let labels = try #require(
      FontFixtures.gunzip(Data(contentsOf: URL(fileURLWithPath: labelsPath))))
    #expect(Array(images[0..<16]) == [0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4])
    #expect(images.count == 16 + 4 * 16)
    // Sorted by letter, then face: B of face 0, B of face 1, J of face 0, J of face 1.
    #expect(stride(from: 16, to: images.count, by: 16).map { images[$0] } == [1, 17, 2, 18])
    // B is class 1 and J class 9, whichever letters were rendered.
    #expect(labels == [0, 0, 8, 1, 0, 0, 0, 4, 1, 1, 9, 9])
  }

  @Test func gzipHeaderCarriesNoTimestamp() throws {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let imagesPath = folder.appendingPathComponent("r-images-idx3-ubyte.gz").path
    try NotMNISTWriter().write(Self.result, to: NotMNISTOutput(path: imagesPath))
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: imagesPath)))
    #expect(Array(bytes[0..<3]) == [0x1F, 0x8B, 8])
    #expect(Array(bytes[4..<8]) == [0, 0, 0, 0])
  }

  @Test func uncompressedIDXIsWrittenAsIs() throws {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let imagesPath = folder.appendingPathComponent("r-images-idx3-ubyte").path
    try NotMNISTWriter().write(Self.result, to: NotMNISTOutput(path: imagesPath))
    let labels = try Data(contentsOf: folder.appendingPathComponent("r-labels-idx1-ubyte"))
    #expect([UInt8](labels) == [0, 0, 8, 1, 0, 0, 0, 4, 1, 1, 9, 9])
  }

  @Test func tarGzHoldsNotMNISTLayoutWithDecodablePNGs() throws {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("render.tar.gz").path
    try NotMNISTWriter().write(Self.result, to: .tarGz(path: path))

    let members = try #require(FontFixtures.readTarGz(path))
    #expect(
      members.map(\.path) == [
        "notMNIST_render/", "notMNIST_render/B/", "notMNIST_render/B/U2Fucy50dGY=.png",
        "notMNIST_render/B/U2VyaWYub3Rm.png", "notMNIST_render/J/",
        "notMNIST_render/J/U2Fucy50dGY=.png", "notMNIST_render/J/U2VyaWYub3Rm.png",
      ])
    #expect(members.map(\.isDirectory) == [true, true, false, false, true, false, false])
    let serifJ = try #require(FontFixtures.decodeGrayPNG(members[6].bytes))
    #expect(serifJ.width == 4 && serifJ.height == 4)
    #expect(serifJ.pixels == [UInt8](repeating: 18, count: 16))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["render.tar.gz"])
    // A gzip header without a time stamp keeps the archive reproducible.
    let head = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8))
    #expect(Array(head[4..<8]) == [0, 0, 0, 0])
  }

  @Test func writingTwiceGivesTheSameArchive() throws {
    let folder = try FontFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = folder.appendingPathComponent("a.tgz")
    let second = folder.appendingPathComponent("b.tgz")
    try NotMNISTWriter().write(Self.result, to: .tarGz(path: first.path))
    try NotMNISTWriter().write(Self.result, to: .tarGz(path: second.path))
    #expect(try Data(contentsOf: first) == Data(contentsOf: second))
  }

  @Test func fileStemIsBase64OfTheNameWithoutSlashes() {
    #expect(
      NotMNISTWriter.fileStem(for: "Crossover BoldOblique.ttf")
        == "Q3Jvc3NvdmVyIEJvbGRPYmxpcXVlLnR0Zg==")
    // "??>" encodes to "Pz8+" and "???" to "Pz8/" in the standard alphabet.
    #expect(NotMNISTWriter.fileStem(for: "??>???") == "Pz8-Pz8_")
  }

  @Test func unwritableDestinationNamesTheFile() throws {
    let path = "/nonexistent-dir/render.tar.gz"
    #expect {
      try NotMNISTWriter().write(Self.result, to: .tarGz(path: path))
    } throws: { error in
      guard case .writeFailed(let failedPath, _) = error as? RenderError else { return false }
      return failedPath == path
    }
  }
}
