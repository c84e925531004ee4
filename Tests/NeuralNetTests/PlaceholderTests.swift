import Testing
@testable import NeuralNet

@Suite struct NeuralNetPlaceholderTests {
  @Test func moduleLoads() { #expect(Bool(true)) }
}
