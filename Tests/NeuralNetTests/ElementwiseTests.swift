import CDNNL
import TensorCore
import Testing

@testable import NeuralNet

@Suite struct ElementwiseTests {
  /// Each chunk runs once, on one of the OpenMP team's threads, with its own range (one chunk
  /// runs on the caller's thread).
  @Test(arguments: [1, 2 * Elementwise.chunkLength, 5 * Elementwise.chunkLength + 7])
  func everyChunkRunsOnceWithItsRange(count: Int) {
    let chunks = (count + Elementwise.chunkLength - 1) / Elementwise.chunkLength
    let visits = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
    let lower = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
    let upper = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
    defer { [visits, lower, upper].forEach { $0.deallocate() } }
    visits.initialize(repeating: 0)
    struct Slots: @unchecked Sendable {
      let visits, lower, upper: UnsafeMutableBufferPointer<Int>
    }
    let slots = Slots(visits: visits, lower: lower, upper: upper)
    Elementwise.forEachChunk(count: count) { c, range in
      slots.visits[c] += 1
      slots.lower[c] = range.lowerBound
      slots.upper[c] = range.upperBound
    }

    #expect(Array(visits) == [Int](repeating: 1, count: chunks))
    for c in 0..<chunks {
      #expect(lower[c] == c * Elementwise.chunkLength)
      #expect(upper[c] == min(count, (c + 1) * Elementwise.chunkLength))
    }
  }

  /// Three parts over more than one chunk, summed into the first; bf16 results are the f32
  /// sums rounded once.
  @Test(arguments: [dnnl_f32, dnnl_bf16])
  func sumOfPartsAddsEveryElement(_ type: dnnl_data_type_t) throws {
    let context = try DNNLContext()
    let count = Elementwise.chunkLength + 13
    let desc = MemoryDesc.make([count], dnnl_x, type: type)
    let parts = (0..<3).map { _ in DNNLBuffer(desc, context) }
    var generator = SeededGenerator(seed: 9)
    var values = [[Float]](repeating: [], count: 3)
    for (k, part) in parts.enumerated() {
      for i in 0..<count {
        let value = generator.nextUnitFloat() * 4 - 2
        if type == dnnl_bf16 {
          let bits = BFloat16.bits(value)
          part.raw.storeBytes(of: bits, toByteOffset: i * 2, as: UInt16.self)
          values[k].append(BFloat16.float(bits))
        } else {
          part.data[i] = value
          values[k].append(value)
        }
      }
    }
    Elementwise.sum(parts, into: parts[0])
    var mismatches = 0
    for i in 0..<count {
      let sum = values[0][i] + values[1][i] + values[2][i]
      if type == dnnl_bf16 {
        let bits = parts[0].raw.load(fromByteOffset: i * 2, as: UInt16.self)
        if bits != BFloat16.bits(sum) { mismatches += 1 }
      } else if parts[0].data[i] != sum {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }
}
