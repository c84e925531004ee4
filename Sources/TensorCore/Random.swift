/// A seeded pseudo-random generator (xoshiro256**) whose state can be saved and restored.
///
/// Every source of randomness in the project (weight initialization, shuffling, dropout,
/// augmentation) takes one of these by `inout`, so a run with the same seed repeats exactly.
/// The state is four 64-bit words, seeded from one 64-bit value through SplitMix64 as the
/// algorithm's authors recommend (Blackman & Vigna, 2018).
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
  /// The four words of generator state; never all zero.
  public private(set) var state: [UInt64]

  /// Creates a generator from a seed.
  /// - Parameter seed: any 64-bit value; equal seeds give equal sequences.
  public init(seed: UInt64) {
    var mixer = seed
    var words: [UInt64] = []
    for _ in 0..<4 {
      mixer &+= 0x9E37_79B9_7F4A_7C15
      var z = mixer
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      words.append(z ^ (z >> 31))
    }
    state = words
  }

  /// Restores a generator from state saved earlier with ``state``.
  /// - Precondition: `state` has four words, not all zero.
  public init(state: [UInt64]) {
    precondition(
      state.count == 4 && state.contains { $0 != 0 },
      "SeededGenerator state needs four words, not all zero, got \(state)")
    self.state = state
  }

  /// Returns the next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotate(state[1] &* 5, 7) &* 9
    let t = state[1] << 17
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = rotate(state[3], 45)
    return result
  }

  /// Returns a uniform `Float` in `[0, 1)` built from the top 24 bits.
  public mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// Returns a generator for a separate stream, leaving this one advanced by one step.
  ///
  /// Used to give dropout, shuffling and augmentation their own streams from one seed.
  public mutating func split() -> SeededGenerator {
    SeededGenerator(seed: next())
  }

  private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }
}
