import Testing

@testable import Datasets

@Suite struct PNGDecoderTests {
  @Test func emptyDataIsReportedAsEmpty() {
    #expect(PNGDecoder().decode([]) == .skipped(.empty))
  }
}
