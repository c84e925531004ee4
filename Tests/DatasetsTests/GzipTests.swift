import Testing
import TestSupport

@testable import Datasets

@Suite struct GzipTests {
  @Test func decompressesConcatenatedMembers() throws {
    let first = Array("first member ".utf8)
    let second = [UInt8](repeating: 7, count: 70_000)
    let bytes = FixtureBuilders.gzip(first) + FixtureBuilders.gzip(second)
    #expect(try Gzip.decompress(bytes, path: "two.gz") == first + second)
  }

  @Test func rejectsGarbageAfterTheStream() {
    let bytes = FixtureBuilders.gzip([1, 2, 3]) + [0x00, 0x01, 0x02]
    #expect(
      throws: DatasetError.gzip(path: "g.gz", reason: "3 bytes of garbage after the gzip data")
    ) {
      try Gzip.decompress(bytes, path: "g.gz")
    }
  }

  @Test func rejectsAWrongChecksum() {
    var bytes = FixtureBuilders.gzip([1, 2, 3])
    bytes[bytes.count - 8] ^= 0xFF
    #expect(
      throws: DatasetError.gzip(
        path: "g.gz", reason: "corrupt gzip data (zlib: incorrect data check)")
    ) {
      try Gzip.decompress(bytes, path: "g.gz")
    }
  }
}
