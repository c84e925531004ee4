#if canImport(Glibc)
  import Glibc
#endif

/// Zero-filled, 64-byte aligned memory blocks (from ``HostMemory``) shared by buffers whose
/// lives do not overlap.
///
/// Each buffer has a size and a life (an inclusive range of times). Largest buffers first, each
/// goes into the first block none of whose buffers' lives overlaps its own; a new block takes
/// the size of its first (largest) buffer. The blocks are freed with this object.
final class MemoryBlocks {
  /// The blocks.
  let pointers: [UnsafeMutableRawPointer]
  /// The bytes of all blocks together.
  let byteCount: Int
  private let blockSizes: [Int]
  /// Per buffer: the index of its block.
  let blockOf: [Int]

  /// Assigns the buffers to blocks and allocates the blocks.
  /// - Parameters:
  ///   - sizes: per buffer, its bytes.
  ///   - lives: per buffer, the times it is used, first to last.
  init(sizes: [Int], lives: [ClosedRange<Int>]) {
    let assignment = MemoryBlocks.assign(sizes: sizes, lives: lives)
    pointers = assignment.blockSizes.map { HostMemory.allocate($0) }
    byteCount = assignment.blockSizes.reduce(0, +)
    blockSizes = assignment.blockSizes
    blockOf = assignment.blockOf
  }

  /// The assignment without the memory: per buffer its block, and per block its bytes (a
  /// multiple of 64).
  static func assign(
    sizes: [Int], lives: [ClosedRange<Int>]
  ) -> (blockOf: [Int], blockSizes: [Int]) {
    precondition(sizes.count == lives.count, "one life per buffer size")
    let order = sizes.indices.sorted {
      sizes[$0] > sizes[$1] || (sizes[$0] == sizes[$1] && $0 < $1)
    }
    var blockOf = [Int](repeating: 0, count: sizes.count)
    var blockLives: [[ClosedRange<Int>]] = []
    var blockSizes: [Int] = []
    for id in order {
      let life = lives[id]
      if let k = blockLives.firstIndex(where: { $0.allSatisfy { !$0.overlaps(life) } }) {
        blockLives[k].append(life)
        blockOf[id] = k
      } else {
        blockLives.append([life])
        blockSizes.append((max(sizes[id], 64) + 63) / 64 * 64)
        blockOf[id] = blockLives.count - 1
      }
    }
    return (blockOf, blockSizes)
  }

  deinit {
    for (pointer, bytes) in zip(pointers, blockSizes) {
      HostMemory.deallocate(pointer, bytes: bytes)
    }
  }

  /// The block of buffer `id`.
  func pointer(for id: Int) -> UnsafeMutableRawPointer { pointers[blockOf[id]] }
}

/// Zero-filled, 64-byte aligned host memory for activations, gradients and shared blocks.
///
/// Large allocations come straight from the kernel (`mmap`): their pages are zero already and
/// become resident only when first written, so a buffer that is moved onto shared memory before
/// it is used, or whose tail is never touched, costs no resident memory. Small ones come from
/// `posix_memalign` and are cleared.
enum HostMemory {
  /// Allocations of at least this many bytes are mapped.
  static let mappedThreshold = 1 << 20

  /// Allocates `bytes` zero bytes (at least 64).
  static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
    let bytes = max(bytes, 64)
    if bytes >= mappedThreshold {
      let pointer = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
      guard let pointer, pointer != MAP_FAILED else {
        fatalError("out of memory mapping \(bytes) bytes for a buffer")
      }
      return pointer
    }
    var raw: UnsafeMutableRawPointer?
    guard posix_memalign(&raw, 64, bytes) == 0, let pointer = raw else {
      fatalError("out of memory allocating \(bytes) bytes for a buffer")
    }
    memset(pointer, 0, bytes)
    return pointer
  }

  /// Frees memory from ``allocate(_:)`` of the same byte count.
  static func deallocate(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
    let bytes = max(bytes, 64)
    if bytes >= mappedThreshold {
      munmap(pointer, bytes)
    } else {
      free(pointer)
    }
  }
}

/// One zero-filled mapping from ``HostMemory``, freed with this object.
final class HostMapping {
  /// The start of the memory, 64-byte aligned.
  let pointer: UnsafeMutableRawPointer
  /// Its bytes.
  let byteCount: Int

  init(byteCount: Int) {
    self.byteCount = byteCount
    pointer = HostMemory.allocate(byteCount)
  }

  deinit {
    HostMemory.deallocate(pointer, bytes: byteCount)
  }
}
