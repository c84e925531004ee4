import TensorCore
import Testing

@Suite struct SeededGeneratorTests {
  @Test func equalSeedsGiveEqualSequences() {
    var a = SeededGenerator(seed: 42)
    var b = SeededGenerator(seed: 42)
    var c = SeededGenerator(seed: 43)
    let x = (0..<8).map { _ in a.next() }
    #expect(x == (0..<8).map { _ in b.next() })
    #expect(x != (0..<8).map { _ in c.next() })
  }

  @Test func stateRestoresTheStream() {
    var a = SeededGenerator(seed: 7)
    _ = a.next()
    var b = SeededGenerator(state: a.state)
    #expect(a.next() == b.next())
  }

  @Test func unitFloatsLieInTheHalfOpenUnitInterval() {
    var generator = SeededGenerator(seed: 1)
    let values = (0..<10_000).map { _ in generator.nextUnitFloat() }
    #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
    let mean = values.reduce(0, +) / Float(values.count)
    #expect(abs(mean - 0.5) < 0.02)
  }
}
