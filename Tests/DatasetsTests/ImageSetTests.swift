import TensorCore
import Testing
import TestSupport

import Datasets

/// An image set of `labels.count` images; image `i` is pattern `seeds[i]`.
private func makeSet(labels: [UInt8], seeds: [Int]? = nil) -> ImageSet {
  let seeds = seeds ?? Array(labels.indices)
  return ImageSet(
    pixels: seeds.flatMap { FixtureBuilders.pattern(seed: $0) }, labels: labels,
    names: labels.indices.map { "img\($0)" })
}

@Suite struct ImageSetTests {
  @Test func countsImagesPerClass() {
    let set = makeSet(labels: [0, 9, 9, 3, 0, 0])
    #expect(set.countsPerClass == [3, 0, 0, 1, 0, 0, 0, 0, 0, 2])
  }

  @Test func selectingKeepsPixelsLabelsAndNamesTogether() {
    let set = makeSet(labels: [1, 2, 3])
    let picked = set.selecting([2, 0, 2])
    #expect(picked.labels == [3, 1, 3])
    #expect(picked.names == ["img2", "img0", "img2"])
    #expect(Array(picked.pixels(at: 1)) == FixtureBuilders.pattern(seed: 0))
    #expect(Array(picked.pixels(at: 2)) == FixtureBuilders.pattern(seed: 2))
  }
}

// MARK: - Batches

extension ImageSetTests {
  @Test func writesKerasNormalizedBatchInIndexOrder() {
    var pixels = [UInt8](repeating: 0, count: 2 * 784)
    pixels[0] = 255
    pixels[1] = 51
    pixels[784] = 127
    let set = ImageSet(pixels: pixels, labels: [4, 5], names: ["a", "b"])
    var batch: [Float] = []

    set.writeBatch(indices: [1, 0], into: &batch)

    #expect(batch.count == 2 * 784)
    #expect(batch[0] == (127 - 127.5) / 255)
    #expect(batch[784] == 0.5)
    #expect(batch[785] == (51 - 127.5) / 255)
    #expect(batch[786] == -0.5)
    #expect(set.labels(at: [1, 0]) == [5, 4])
  }

  @Test func batchTensorHasKerasImageShape() {
    let set = ImageSet(
      pixels: [UInt8](repeating: 255, count: 784) + [UInt8](repeating: 0, count: 784),
      labels: [0, 1], names: ["a", "b"])
    let tensor = set.batchTensor(indices: [1, 0, 1])
    #expect(tensor.shape == [3, 28, 28, 1])
    #expect(tensor.scalars[0] == -0.5)
    #expect(tensor.scalars[784] == 0.5)
    #expect(tensor.scalars[3 * 784 - 1] == -0.5)
  }

  @Test func unitRangeNormalizationDividesBy255() {
    let set = ImageSet(
      pixels: [UInt8](repeating: 51, count: 784), labels: [0], names: ["a"])
    var buffer = [Float](repeating: -1, count: 784 + 3)
    buffer.withUnsafeMutableBufferPointer {
      set.writeBatch(indices: [0], into: $0, normalization: .unitRange)
    }
    #expect(buffer[0] == 0.2)
    #expect(buffer[783] == 0.2)
    #expect(buffer[784] == -1)
  }

  @Test func customNormalizationUsesMeanAndScale() {
    let normalization = PixelNormalization(mean: 100, scale: 50)
    #expect(normalization.apply(200) == 2)
    #expect(normalization.apply(0) == -2)
  }
}

// MARK: - Shuffling and splitting

extension ImageSetTests {
  @Test func shuffleIsAPermutationThatRepeatsWithTheSeed() {
    let set = makeSet(labels: [UInt8](repeating: 0, count: 50))
    var first = SeededGenerator(seed: 7)
    var second = SeededGenerator(seed: 7)
    var other = SeededGenerator(seed: 8)

    let order = set.shuffledIndices(using: &first)

    #expect(order.sorted() == Array(0..<50))
    #expect(order != Array(0..<50))
    #expect(order == set.shuffledIndices(using: &second))
    #expect(order != set.shuffledIndices(using: &other))
  }

  @Test func shuffleOrderIsPinned() {
    // Worked out independently in Python (xoshiro256**, Lemire's bounded draw, Fisher-Yates
    // from the last position down).
    let set = makeSet(labels: [UInt8](repeating: 0, count: 8))
    var generator = SeededGenerator(seed: 42)
    #expect(set.shuffledIndices(using: &generator) == [7, 1, 6, 3, 5, 4, 2, 0])
  }

  @Test func stratifiedSplitTakesTheFractionOfEveryClass() {
    let labels = [UInt8]((0..<10).flatMap { [UInt8](repeating: UInt8($0), count: 10 + $0) })
    let set = makeSet(labels: labels)
    var generator = SeededGenerator(seed: 1)

    let (training, validation) = set.stratifiedSplit(validationFraction: 0.2, using: &generator)

    // round(n * 0.2) for n = 10...19.
    #expect(validation.countsPerClass == [2, 2, 2, 3, 3, 3, 3, 3, 4, 4])
    #expect(training.count + validation.count == set.count)
    #expect(Set(training.names).isDisjoint(with: validation.names))
    #expect(
      training.names == training.names.sorted { Int($0.dropFirst(3))! < Int($1.dropFirst(3))! })
  }

  @Test func stratifiedSplitRepeatsWithTheSeed() {
    let set = makeSet(labels: [UInt8]((0..<60).map { UInt8($0 % 10) }))
    var first = SeededGenerator(seed: 3)
    var second = SeededGenerator(seed: 3)
    let a = set.stratifiedSplit(validationFraction: 0.5, using: &first)
    let b = set.stratifiedSplit(validationFraction: 0.5, using: &second)
    #expect(a.validation == b.validation)
    #expect(a.training == b.training)
  }
}

// MARK: - Duplicates

extension ImageSetTests {
  @Test func removingDuplicatesKeepsFirstOccurrences() {
    let set = makeSet(labels: [0, 1, 2, 3, 4], seeds: [5, 6, 5, 5, 7])
    let result = set.removingDuplicates()
    #expect(result.droppedCount == 2)
    #expect(result.images.names == ["img0", "img1", "img4"])
  }

  @Test func leakRemovalDropsImagesFoundInOtherSetsWhateverTheirLabel() {
    let training = makeSet(labels: [0, 1, 2, 3], seeds: [1, 2, 3, 4])
    let validation = makeSet(labels: [9], seeds: [2])
    let test = makeSet(labels: [3, 5], seeds: [4, 8])
    let result = training.removingImages(sharedWith: [validation, test])
    #expect(result.droppedCount == 2)
    #expect(result.images.names == ["img0", "img2"])
  }

  @Test func contentIndexCountsWithinAndAcrossSets() {
    let a = makeSet(labels: [0, 0, 1, 2], seeds: [1, 1, 2, 3])
    let b = makeSet(labels: [0, 4, 4], seeds: [1, 3, 3])
    let index = PixelContentIndex([a, b])

    #expect(index.distinctCount == 3)
    #expect(index.duplicatesWithin(set: 0) == 2)
    #expect(index.duplicatesWithin(set: 1) == 2)
    #expect(index.distinctCount(inSet: 0) == 3)
    #expect(index.sharedImages(of: 0, in: 1) == 3)
    #expect(index.sharedImages(of: 1, in: 0) == 3)
    #expect(index.sharedContents(between: 0, and: 1) == 2)
    // Seed 3 is labelled 2 in a and 4 in b.
    #expect(index.labelConflicts(in: [a, b]) == 1)
    #expect(index.labelConflicts(between: 0, and: 1, in: [a, b]) == 1)
    #expect(index.labelConflicts(between: 0, and: 0, in: [a, b]) == 0)
  }
}
