/// What a duplicate or leak removal dropped.
public struct RemovalResult: Sendable, Equatable {
  /// The images that remain, in their original order.
  public var images: ImageSet
  /// How many images were dropped.
  public var droppedCount: Int

  /// Creates a removal result.
  /// - Parameters:
  ///   - images: the kept images.
  ///   - droppedCount: the number dropped.
  public init(images: ImageSet, droppedCount: Int) {
    self.images = images
    self.droppedCount = droppedCount
  }
}

extension ImageSet {
  /// Drops every image whose exact 784 pixels already occurred earlier in this set.
  ///
  /// The first occurrence is kept with its label, even when a later copy carries another label
  /// (a label conflict); the later copies are dropped.
  /// - Returns: the kept images and how many were dropped (images minus distinct contents).
  public func removingDuplicates() -> RemovalResult {
    let ids = PixelContentIndex([self]).contentIDs[0]
    var seen = Set<Int32>()
    var kept: [Int] = []
    kept.reserveCapacity(count)
    for (index, id) in ids.enumerated() where seen.insert(id).inserted {
      kept.append(index)
    }
    return RemovalResult(images: selecting(kept), droppedCount: count - kept.count)
  }

  /// Drops every image whose exact pixels also occur in any of `others` (leak removal: pass the
  /// validation and test sets to clean the training set).
  ///
  /// Labels are not compared: an image leaks whatever label its copy carries.
  /// - Parameter others: the sets that must not share images with this one.
  /// - Returns: the kept images and how many were dropped.
  public func removingImages(sharedWith others: [ImageSet]) -> RemovalResult {
    let index = PixelContentIndex([self] + others)
    var elsewhere = Set<Int32>()
    for ids in index.contentIDs.dropFirst() { elsewhere.formUnion(ids) }
    let kept = index.contentIDs[0].indices.filter { !elsewhere.contains(index.contentIDs[0][$0]) }
    return RemovalResult(images: selecting(kept), droppedCount: count - kept.count)
  }
}
