import Datasets
import Dispatch
import TensorCore

/// Prepares training batches on a background thread, one ahead of the step that uses them.
///
/// Two batch buffers take turns: while a step reads the batch in one, the next batch is written
/// into the other. Each batch carries the augmentation stream as it stands after that batch, so
/// a checkpoint taken after step `k` records the state from which batch `k + 1` is drawn,
/// whether or not it was already prepared. The batches are therefore exactly those of
/// preparing each one just before its step.
final class BatchPrefetcher {
  /// A prepared batch; valid until the next call to ``next()``.
  struct Batch {
    /// `count · 784` normalized pixels, `[N, 28, 28, 1]`.
    let images: UnsafePointer<Float>
    let labels: UnsafePointer<Int32>
    let count: Int
    /// The augmentation stream after this batch was drawn.
    let augmentation: SeededGenerator
  }

  /// The two buffers, written by one side at a time: a buffer is handed to the background
  /// thread only after the step that read it has finished, and read only after `group` says
  /// its batch is complete.
  private struct Buffers: @unchecked Sendable {
    let images: [UnsafeMutableBufferPointer<Float>]
    let labels: [UnsafeMutableBufferPointer<Int32>]
  }

  private let training: ImageSet
  private let maxShift: Int
  private let buffers: Buffers
  private let queue = DispatchQueue(label: "notmnist.batch-prefetch")
  private let group = DispatchGroup()
  /// The buffer the next batch is (being) written to and its size, once started.
  private var pending: (slot: Int, count: Int)?
  private var pendingStream: PendingStream?
  private var nextSlot = 0

  /// Creates the two buffers for batches of up to `batchSize` images.
  /// - Parameters:
  ///   - training: the images and labels.
  ///   - batchSize: the largest batch.
  ///   - maxShift: the random shift of each image in pixels; 0 for none.
  init(training: ImageSet, batchSize: Int, maxShift: Int) {
    self.training = training
    self.maxShift = maxShift
    let pixels = batchSize * ImageSet.pixelsPerImage
    buffers = Buffers(
      images: (0..<2).map { _ in
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: pixels)
        buffer.initialize(repeating: 0)
        return buffer
      },
      labels: (0..<2).map { _ in
        let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: batchSize)
        buffer.initialize(repeating: 0)
        return buffer
      })
  }

  deinit {
    group.wait()
    buffers.images.forEach { $0.deallocate() }
    buffers.labels.forEach { $0.deallocate() }
  }

  /// Starts preparing the batch of `indices` with the augmentation stream `augmentation`.
  /// - Precondition: no batch is pending; at most `batchSize` indices.
  func prepare(_ indices: ArraySlice<Int>, augmentation: SeededGenerator) {
    precondition(pending == nil, "a batch is already being prepared")
    let slot = nextSlot
    nextSlot = 1 - nextSlot
    pending = (slot, indices.count)
    let training = training
    let maxShift = maxShift
    let buffers = buffers
    let result = PendingStream()
    pendingStream = result
    queue.async(group: group) {
      var generator = augmentation
      let images = buffers.images[slot]
      if maxShift > 0 {
        training.writeShiftedBatch(
          indices: indices, into: images, maxShift: maxShift, using: &generator)
      } else {
        training.writeBatch(indices: indices, into: images)
      }
      for (row, index) in indices.enumerated() {
        buffers.labels[slot][row] = Int32(training.labels[index])
      }
      result.generator = generator
    }
  }

  /// Waits for the batch started by the last ``prepare(_:augmentation:)`` and returns it.
  /// - Precondition: a batch is pending.
  func next() -> Batch {
    guard let (slot, count) = pending, let stream = pendingStream else {
      preconditionFailure("no batch is being prepared")
    }
    group.wait()
    pending = nil
    pendingStream = nil
    return Batch(
      images: UnsafePointer(buffers.images[slot].baseAddress!),
      labels: UnsafePointer(buffers.labels[slot].baseAddress!), count: count,
      augmentation: stream.generator!)
  }

  /// The stream after a batch, written by the background thread before `group` is left and
  /// read only after waiting on `group`.
  private final class PendingStream: @unchecked Sendable {
    var generator: SeededGenerator?
  }
}
