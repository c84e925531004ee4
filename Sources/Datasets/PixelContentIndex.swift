/// Groups images by exact pixel content, within and across image sets.
///
/// Two images have the same content when all 784 pixel bytes are equal. The index gives every
/// image a content number: equal numbers mean equal pixels, across all the sets it was built
/// from. Images are hashed (64-bit) and every hash match is confirmed byte by byte, so hash
/// collisions never merge different images.
public struct PixelContentIndex: Sendable {
  /// For each set given at creation, the content number of each of its images.
  public let contentIDs: [[Int32]]
  /// The number of distinct pixel contents over all sets.
  public let distinctCount: Int

  /// Indexes the images of one or more sets.
  /// - Parameter sets: the image sets; their order fixes the numbering (first seen, first
  ///   numbered).
  public init(_ sets: [ImageSet]) {
    var firstByHash: [UInt64: Int32] = [:]
    var nextWithSameHash: [Int32] = []
    var representatives: [(set: Int, image: Int)] = []
    var ids: [[Int32]] = []
    for (setIndex, set) in sets.enumerated() {
      var setIDs = [Int32](repeating: 0, count: set.count)
      set.pixels.withUnsafeBytes { pixels in
        for image in 0..<set.count {
          let start = image * ImageSet.pixelsPerImage
          let hash = contentHash(pixels.baseAddress! + start)
          var candidate = firstByHash[hash] ?? -1
          var last: Int32 = -1
          while candidate >= 0 {
            let rep = representatives[Int(candidate)]
            let equal = sets[rep.set].pixels.withUnsafeBytes { other in
              memoryEqual(
                other.baseAddress! + rep.image * ImageSet.pixelsPerImage,
                pixels.baseAddress! + start)
            }
            if equal { break }
            last = candidate
            candidate = nextWithSameHash[Int(candidate)]
          }
          if candidate < 0 {
            candidate = Int32(representatives.count)
            representatives.append((setIndex, image))
            nextWithSameHash.append(-1)
            if last >= 0 {
              nextWithSameHash[Int(last)] = candidate
            } else {
              firstByHash[hash] = candidate
            }
          }
          setIDs[image] = candidate
        }
      }
      ids.append(setIDs)
    }
    contentIDs = ids
    distinctCount = representatives.count
  }

  /// How many images of set `index` share their content with another image of the same set
  /// (every member of a repeated group counts, the first one included).
  public func duplicatesWithin(set index: Int) -> Int {
    var counts: [Int32: Int] = [:]
    for id in contentIDs[index] { counts[id, default: 0] += 1 }
    return contentIDs[index].reduce(0) { $0 + (counts[$1, default: 0] > 1 ? 1 : 0) }
  }

  /// How many distinct contents set `index` holds.
  public func distinctCount(inSet index: Int) -> Int {
    Set(contentIDs[index]).count
  }

  /// How many images of set `a` have content that also occurs in set `b`.
  public func sharedImages(of a: Int, in b: Int) -> Int {
    let inB = Set(contentIDs[b])
    return contentIDs[a].reduce(0) { $0 + (inB.contains($1) ? 1 : 0) }
  }

  /// How many distinct contents occur in both set `a` and set `b`.
  public func sharedContents(between a: Int, and b: Int) -> Int {
    Set(contentIDs[a]).intersection(contentIDs[b]).count
  }

  /// How many distinct contents occur in both set `a` and set `b` and carry more than one label
  /// among the images of the two sets.
  /// - Parameters:
  ///   - a: the first set's position.
  ///   - b: the second set's position.
  ///   - sets: the same sets, in the same order, as given at creation.
  /// - Returns: the number of shared contents with two or more labels.
  /// - Precondition: the sets match the ones indexed.
  public func labelConflicts(between a: Int, and b: Int, in sets: [ImageSet]) -> Int {
    precondition(sets.count == contentIDs.count, "labelConflicts needs the indexed sets")
    let maskA = labelMasks(of: a, in: sets)
    let maskB = labelMasks(of: b, in: sets)
    return maskA.reduce(0) { total, entry in
      guard let other = maskB[entry.key] else { return total }
      return total + ((entry.value | other).nonzeroBitCount > 1 ? 1 : 0)
    }
  }

  /// Each content of set `index` with its labels as a 10-bit mask.
  private func labelMasks(of index: Int, in sets: [ImageSet]) -> [Int32: UInt16] {
    precondition(
      sets[index].count == contentIDs[index].count, "labelConflicts needs the indexed sets")
    var masks: [Int32: UInt16] = [:]
    for (image, id) in contentIDs[index].enumerated() {
      masks[id, default: 0] |= 1 << UInt16(sets[index].labels[image])
    }
    return masks
  }

  /// How many distinct contents occur with more than one label over all indexed sets.
  /// - Parameter sets: the same sets, in the same order, as given at creation.
  /// - Returns: the number of contents with two or more labels.
  /// - Precondition: the sets match the ones indexed.
  public func labelConflicts(in sets: [ImageSet]) -> Int {
    precondition(sets.count == contentIDs.count, "labelConflicts needs the indexed sets")
    // Each content's labels as a 10-bit mask.
    var masks = [UInt16](repeating: 0, count: distinctCount)
    for (setIndex, set) in sets.enumerated() {
      precondition(set.count == contentIDs[setIndex].count, "labelConflicts needs the indexed sets")
      for (image, id) in contentIDs[setIndex].enumerated() {
        masks[Int(id)] |= 1 << UInt16(set.labels[image])
      }
    }
    return masks.reduce(0) { $0 + ($1.nonzeroBitCount > 1 ? 1 : 0) }
  }
}

/// A 64-bit hash of 784 bytes, read as 98 words.
private func contentHash(_ bytes: UnsafeRawPointer) -> UInt64 {
  var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
  for word in 0..<(ImageSet.pixelsPerImage / 8) {
    let value = bytes.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
    hash = (hash ^ value) &* 0xFF51_AFD7_ED55_8CCD
    hash ^= hash >> 32
  }
  return hash
}

private func memoryEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer) -> Bool {
  for word in 0..<(ImageSet.pixelsPerImage / 8)
  where a.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
    != b.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
  {
    return false
  }
  return true
}
