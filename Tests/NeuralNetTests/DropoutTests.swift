import CDNNL
import TensorCore
import TestSupport
import Testing

@testable import NeuralNet

@Suite struct DropoutTests {
  @Test func inferenceIsTheIdentity() throws {
    let harness = try LayerHarness(input: [2, 2, 3]) { g, x in g.dropout(x, rate: 0.5) }
    let x = Tensor(shape: [1, 2, 2, 3], scalars: (1...12).map(Float.init))
    #expect(try harness.forward(x) == x)
  }

  @Test func trainingZeroesAboutRateAndScalesTheRest() throws {
    let harness = try LayerHarness(input: [10, 10, 20]) { g, x in g.dropout(x, rate: 0.25) }
    let y = try harness.forward(Tensor(shape: [2, 10, 10, 20], repeating: 3), mode: .training)
    let zeros = y.scalars.filter { $0 == 0 }.count
    #expect(y.scalars.allSatisfy { $0 == 0 || $0 == 4 })
    #expect(abs(Double(zeros) / 4000 - 0.25) < 0.03)
  }

  @Test func equalSeedsGiveEqualMasks() throws {
    let harness = try LayerHarness(input: [4, 4, 8]) { g, x in g.dropout(x, rate: 0.5) }
    let x = Tensor(shape: [1, 4, 4, 8], repeating: 1)
    let a = try harness.model.forward(x, mode: .training, seed: 3)
    let b = try harness.model.forward(x, mode: .training, seed: 3)
    let c = try harness.model.forward(x, mode: .training, seed: 4)
    #expect(a == b)
    #expect(a != c)
  }

  /// The gradient is the mask: exact, so the tolerance only covers float rounding.
  @Test func backwardMatchesFiniteDifferences() throws {
    let harness = try LayerHarness(input: [3, 3, 5]) { g, x in g.dropout(x, rate: 0.4) }
    try harness.checkGradients(batch: 2, samples: 30)
  }
}

extension DropoutTests {
  /// Eight channels in a 16-channel blocked layout leave half of each block as padding, which
  /// the mask multiplies but must leave zero.
  @Test func paddingOfBlockedLayoutsStaysZero() throws {
    let harness = try LayerHarness(input: [3, 3, 2]) { g, x in
      g.dropout(g.conv2D(x, filters: 8, kernelSize: [1, 1], useBias: false), rate: 0.5)
    }
    let x = Tensor(shape: [2, 3, 3, 2], repeating: 1)
    let y = try harness.model.forward(x, mode: .training)
    let plan = try harness.model.plan(batch: 2, mode: .training, wantsInputGradient: true)
    let raw = UnsafeBufferPointer(start: plan.output.data, count: plan.output.floatCount)
    #expect(raw.count > y.count)
    // Every nonzero in memory is one of the logical elements read back in Keras layout.
    let kept = y.scalars.filter { $0 != 0 }.count
    #expect(kept > 0 && kept < y.count)
    #expect(raw.filter { $0 != 0 }.count == kept)
  }
}

extension DropoutTests {
  /// With an input of ones and an upstream gradient of ones, the input gradient is the mask
  /// times the scale, which is also the output.
  @Test func backwardUsesTheForwardMask() throws {
    let harness = try LayerHarness(input: [4, 4, 8]) { g, x in g.dropout(x, rate: 0.5) }
    let ones = Tensor(shape: [2, 4, 4, 8], repeating: 1)
    let y = try harness.model.forward(ones, mode: .training, seed: 7)
    let dx = try harness.model.backward(outputGradient: ones)
    #expect(dx == y)
    #expect(y.scalars.contains(0) && y.scalars.contains(2))
  }

  /// A dropout after a convolution overwrites the convolution's output; the results and every
  /// gradient equal those of the same model writing a separate buffer.
  @Test func inPlaceEqualsOutOfPlace() throws {
    func run(inPlace: Bool) throws -> [Tensor] {
      let harness = try LayerHarness(input: [5, 5, 3]) { g, x in
        g.dropout(g.conv2D(x, filters: 8, kernelSize: [3, 3], useBias: false), rate: 0.3)
      }
      let dropout = try #require(harness.model.layers.last as? Dropout)
      #expect(dropout.isInPlace)
      dropout.isInPlace = inPlace
      var generator = SeededGenerator(seed: 2)
      let x = Tensor(
        shape: [3, 5, 5, 3], scalars: (0..<225).map { _ in generator.nextUnitFloat() - 0.5 })
      let y = try harness.model.forward(x, mode: .training, seed: 5)
      let r = Tensor(shape: y.shape, scalars: (0..<y.count).map { _ in generator.nextUnitFloat() })
      let dx = try harness.model.backward(outputGradient: r)
      let kernel = try #require(harness.parameter("kernel"))
      return [y, dx, kernel.kerasTensor(of: kernel.gradient)]
    }
    #expect(try run(inPlace: true) == run(inPlace: false))
  }

  @Test func dropoutReadingTheModelInputOrASharedBufferIsNotInPlace() throws {
    let harness = try LayerHarness(input: [4, 4, 2]) { g, x in
      let conv = g.conv2D(x, filters: 2, kernelSize: [1, 1])
      return g.concatenate([g.dropout(x, rate: 0.5), g.dropout(conv, rate: 0.5), conv])
    }
    let dropouts = harness.model.layers.compactMap { $0 as? Dropout }
    #expect(dropouts.map(\.isInPlace) == [false, false])
  }
}

// MARK: - Mask

extension DropoutTests {
  private static func buffer(
    count: Int, type: dnnl_data_type_t = dnnl_f32, context: DNNLContext
  ) -> DNNLBuffer {
    DNNLBuffer(MemoryDesc.make([count], dnnl_x, type: type), context)
  }

  /// Chunk `c` of a mask is drawn from the `c`-th word of the generator alone, so it does not
  /// depend on which thread draws which chunk.
  @Test func eachChunkFollowsFromItsOwnSeed() throws {
    let context = try DNNLContext()
    let length = Elementwise.chunkLength
    let count = 3 * length + 5
    let ones = Self.buffer(count: count, context: context)
    for i in 0..<count { ones.data[i] = 1 }
    let whole = DropoutMask(count: count, rate: 0.3)
    var generator = SeededGenerator(seed: 11)
    whole.draw(
      applyingTo: ones, into: Self.buffer(count: count, context: context), generator: &generator)

    for chunk in [0, 2, 3] {
      let size = min(length, count - chunk * length)
      let single = DropoutMask(count: size, rate: 0.3)
      var skipped = SeededGenerator(seed: 11)
      for _ in 0..<chunk { _ = skipped.next() }
      let source = Self.buffer(count: size, context: context)
      single.draw(
        applyingTo: source, into: Self.buffer(count: size, context: context), generator: &skipped)
      let expected = Array(UnsafeBufferPointer(start: single.keep, count: size))
      let actual = Array(UnsafeBufferPointer(start: whole.keep + chunk * length, count: size))
      #expect(actual == expected, "chunk \(chunk)")
    }
    let kept = UnsafeBufferPointer(start: whole.keep, count: count).reduce(0) { $0 + Int($1) }
    #expect(abs(Double(kept) / Double(count) - 0.7) < 0.01)
  }

  /// On bf16 buffers the mask is the one f32 buffers get from the same seed, and each kept
  /// element is the product rounded once.
  @Test func bf16BuffersGetTheSameMaskAndRoundedProducts() throws {
    let context = try DNNLContext()
    let count = Elementwise.chunkLength + 37
    var generator = SeededGenerator(seed: 4)
    let values = (0..<count).map { _ in
      BFloat16.float(BFloat16.bits(generator.nextUnitFloat() - 0.5))
    }
    let f32 = Self.buffer(count: count, context: context)
    let bf16 = Self.buffer(count: count, type: dnnl_bf16, context: context)
    for (i, value) in values.enumerated() {
      f32.data[i] = value
      bf16.raw.storeBytes(of: BFloat16.bits(value), toByteOffset: i * 2, as: UInt16.self)
    }
    let maskF32 = DropoutMask(count: count, rate: 0.2)
    let maskBF16 = DropoutMask(count: count, rate: 0.2)
    var a = SeededGenerator(seed: 8)
    var b = SeededGenerator(seed: 8)
    maskF32.draw(applyingTo: f32, into: f32, generator: &a)
    maskBF16.draw(applyingTo: bf16, into: bf16, generator: &b)
    let keepF32 = Array(UnsafeBufferPointer(start: maskF32.keep, count: count))
    #expect(keepF32 == Array(UnsafeBufferPointer(start: maskBF16.keep, count: count)))
    #expect(a == b)

    var mismatches = 0
    for i in 0..<count {
      let expected = BFloat16.bits(values[i] * (keepF32[i] == 1 ? 1.25 : 0))
      if bf16.raw.load(fromByteOffset: i * 2, as: UInt16.self) != expected { mismatches += 1 }
      if f32.data[i] != values[i] * (keepF32[i] == 1 ? 1.25 : 0) { mismatches += 1 }
    }
    #expect(mismatches == 0)

    // Backward: the same mask applied to a gradient, in place.
    maskBF16.apply(to: bf16, into: bf16)
    let twice = (0..<count).map {
      BFloat16.float(bf16.raw.load(fromByteOffset: $0 * 2, as: UInt16.self))
    }
    let expectedTwice = (0..<count).map { i in
      keepF32[i] == 1
        ? BFloat16.float(BFloat16.bits(BFloat16.float(BFloat16.bits(values[i] * 1.25)) * 1.25)) : 0
    }
    #expect(twice == expectedTwice)
  }
}
