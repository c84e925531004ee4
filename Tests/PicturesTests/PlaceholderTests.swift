import Testing
@testable import Pictures

@Suite struct PicturesPlaceholderTests {
  @Test func moduleLoads() { #expect(Bool(true)) }
}
