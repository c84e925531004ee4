import TensorCore

extension ImageSet {
  /// The indices `0..<count` in a random order drawn from `generator` (Fisher-Yates).
  ///
  /// The same generator state always gives the same order, on every platform and Swift version.
  /// - Parameter generator: advanced by at least `count - 1` draws.
  /// - Returns: a permutation of `0..<count`.
  public func shuffledIndices(using generator: inout SeededGenerator) -> [Int] {
    var order = Array(0..<count)
    seededShuffle(&order, using: &generator)
    return order
  }

  /// Splits the set into training and validation parts with the same class proportions.
  ///
  /// For each class with `n` images, `round(n * validationFraction)` of them, chosen at random,
  /// go to validation. Both parts keep the original image order.
  /// - Parameters:
  ///   - validationFraction: in `0...1`.
  ///   - generator: the source of randomness; the same state gives the same split.
  /// - Returns: the two parts; together they hold every image exactly once.
  /// - Precondition: `validationFraction` is in `0...1`.
  public func stratifiedSplit(
    validationFraction: Double, using generator: inout SeededGenerator
  ) -> (training: ImageSet, validation: ImageSet) {
    precondition(
      (0...1).contains(validationFraction),
      "validationFraction must be in 0...1, got \(validationFraction)")
    var byClass = [[Int]](repeating: [], count: Self.classCount)
    for (index, label) in labels.enumerated() { byClass[Int(label)].append(index) }
    var isValidation = [Bool](repeating: false, count: count)
    for var members in byClass {
      seededShuffle(&members, using: &generator)
      let take = Int((Double(members.count) * validationFraction).rounded())
      for index in members.prefix(take) { isValidation[index] = true }
    }
    let validation = indices(where: isValidation, equalTo: true)
    let training = indices(where: isValidation, equalTo: false)
    return (selecting(training), selecting(validation))
  }

  private func indices(where flags: [Bool], equalTo value: Bool) -> [Int] {
    flags.indices.filter { flags[$0] == value }
  }
}

/// Fisher-Yates shuffle with an unbiased bounded draw (rejection sampling), independent of the
/// standard library's shuffle algorithm so that orders stay reproducible.
func seededShuffle(_ values: inout [Int], using generator: inout SeededGenerator) {
  guard values.count > 1 else { return }
  for i in stride(from: values.count - 1, to: 0, by: -1) {
    let j = boundedRandom(below: UInt64(i + 1), using: &generator)
    values.swapAt(i, Int(j))
  }
}

/// A uniform draw in `0..<bound` (Lemire's multiply-and-reject method).
private func boundedRandom(below bound: UInt64, using generator: inout SeededGenerator) -> UInt64 {
  var product = generator.next().multipliedFullWidth(by: bound)
  if product.low < bound {
    let threshold = (0 &- bound) % bound
    while product.low < threshold {
      product = generator.next().multipliedFullWidth(by: bound)
    }
  }
  return product.high
}
