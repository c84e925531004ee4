import Testing
@testable import TensorCore

@Suite struct TensorCorePlaceholderTests {
  @Test func moduleLoads() { #expect(Bool(true)) }
}
