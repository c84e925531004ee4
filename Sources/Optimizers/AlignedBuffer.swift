#if canImport(Glibc)
  import Glibc
#else
  import Darwin
#endif

/// A zero-filled, 64-byte aligned `Float` buffer that frees itself; storage for one slot.
final class AlignedBuffer {
  /// The elements.
  let pointer: UnsafeMutablePointer<Float>
  /// The number of elements.
  let count: Int

  /// Allocates `count` zeros.
  init(count: Int) {
    var raw: UnsafeMutableRawPointer?
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    guard posix_memalign(&raw, 64, bytes) == 0, let memory = raw else {
      fatalError("out of memory allocating \(bytes) bytes for optimizer state")
    }
    memset(memory, 0, bytes)
    pointer = memory.bindMemory(to: Float.self, capacity: max(count, 1))
    self.count = count
  }

  deinit {
    free(pointer)
  }
}
