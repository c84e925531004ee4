import Testing
@testable import Datasets

@Suite struct DatasetsPlaceholderTests {
  @Test func moduleLoads() { #expect(Bool(true)) }
}
