import Datasets

/// The images of a data set that `data inspect` counts as suspect, found so they can be shown:
/// exact duplicates that carry different letters, and blank images.
///
/// A blank image has all 784 pixels equal (notMNIST_large has all-white "I"s: some fonts draw
/// the letter as a solid block). A label conflict is a pixel content, found by
/// ``PixelContentIndex``, that occurs under two or more letters, such as one "Expert" font glyph
/// filed under C, G and I.
struct FlaggedImages: Equatable {
  /// One pixel content that carries more than one letter.
  struct Conflict: Equatable {
    /// One image index per letter the content carries, in letter order (the first image found
    /// with each letter).
    var representatives: [Int]
    /// How many images of the set have this content, whatever their letter.
    var imageCount: Int
  }

  /// The contents with conflicting letters, in order of their first image.
  var conflicts: [Conflict]
  /// The indices of the blank images, in set order.
  var blankImages: [Int]

  /// Finds the flagged images of a set.
  ///
  /// One pass over the pixels for blank images and one ``PixelContentIndex`` over the set: about
  /// a second for notMNIST_large's 529,119 images.
  /// - Parameter images: the images.
  init(_ images: ImageSet) {
    blankImages = images.blankImageIndices()
    conflicts = Self.conflicts(in: images)
  }

  /// The contents of `images` that occur under more than one letter.
  private static func conflicts(in images: ImageSet) -> [Conflict] {
    let ids = PixelContentIndex([images]).contentIDs[0]
    var masks: [Int32: UInt16] = [:]
    for (image, id) in ids.enumerated() {
      masks[id, default: 0] |= 1 << UInt16(images.labels[image])
    }

    var found: [Int32: Conflict] = [:]
    var order: [Int32] = []
    var seenLabels: [Int32: UInt16] = [:]
    for (image, id) in ids.enumerated() where (masks[id] ?? 0).nonzeroBitCount > 1 {
      if found[id] == nil {
        found[id] = Conflict(representatives: [], imageCount: 0)
        order.append(id)
      }
      found[id]?.imageCount += 1
      let bit = UInt16(1) << UInt16(images.labels[image])
      if (seenLabels[id] ?? 0) & bit == 0 {
        seenLabels[id, default: 0] |= bit
        found[id]?.representatives.append(image)
      }
    }
    return order.compactMap { id in
      found[id].map { conflict in
        var sorted = conflict
        sorted.representatives.sort { images.labels[$0] < images.labels[$1] }
        return sorted
      }
    }
  }

  /// Whether nothing was flagged.
  var isEmpty: Bool { conflicts.isEmpty && blankImages.isEmpty }
}
