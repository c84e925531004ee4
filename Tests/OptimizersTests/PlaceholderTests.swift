import Testing
@testable import Optimizers

@Suite struct OptimizersPlaceholderTests {
  @Test func moduleLoads() { #expect(Bool(true)) }
}
