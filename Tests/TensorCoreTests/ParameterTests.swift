import TensorCore
import Testing

@Suite struct ParameterTests {
  @Test func kerasValueRoundTripsThroughPlainStorage() {
    let p = Parameter(name: "dense/kernel", shape: [2, 3])
    let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    p.setKerasValue(t)
    #expect(p.kerasValue == t)
    #expect(p.value[4] == 5)
  }

  /// Storage `[x, x, x, x, pad, pad]` holding a `[2, 2]` tensor transposed.
  @Test func storageOffsetsPlaceKerasElementsInEngineLayout() {
    let p = Parameter(name: "conv2d/kernel", shape: [2, 2], l2Penalty: 0.5, storageCount: 6)
    p.storageOffsets = [0, 2, 1, 3]
    p.setKerasValue(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
    #expect(Array(UnsafeBufferPointer(start: p.value, count: 6)) == [1, 3, 2, 4, 0, 0])
    #expect(p.kerasValue.scalars == [1, 2, 3, 4])
    #expect(p.count == 4)
    #expect(p.l2Penalty == 0.5)
    #expect(p.kerasTensor(of: p.gradient).scalars == [0, 0, 0, 0])
  }
}
