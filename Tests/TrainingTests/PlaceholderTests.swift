import Testing
@testable import Training

@Suite struct TrainingPlaceholderTests {
  @Test func moduleLoads() { #expect(Bool(true)) }
}
