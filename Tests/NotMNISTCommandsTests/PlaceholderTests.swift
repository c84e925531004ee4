import Testing
@testable import NotMNISTCommands

@Suite struct NotMNISTCommandsPlaceholderTests {
  @Test func moduleLoads() { #expect(Bool(true)) }
}
