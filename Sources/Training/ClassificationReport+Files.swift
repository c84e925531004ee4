import Foundation
import TensorCore

extension ClassificationReport {
  /// Writes the report's renderings into a directory, each file atomically.
  ///
  /// Files: `<stem>.txt` (``text()``), `<stem>.json` (``json()``), `<stem>.csv` (``csv()``) and
  /// `<stem>_confusion.csv` (``confusionCSV()``).
  /// - Parameters:
  ///   - directory: an existing directory, such as the run's log directory.
  ///   - stem: the shared start of the file names; default `report`.
  /// - Returns: the files written, in the order above.
  /// - Throws: ``TrainingError/io(path:operation:reason:)`` naming the file that failed.
  @discardableResult
  public func write(to directory: URL, stem: String = "report") throws(TrainingError) -> [URL] {
    let files = [
      (stem + ".txt", text()), (stem + ".json", json()), (stem + ".csv", csv()),
      (stem + "_confusion.csv", confusionCSV()),
    ]
    var urls: [URL] = []
    for (name, contents) in files {
      let url = directory.appendingPathComponent(name)
      do {
        try AtomicFile.write(Array(contents.utf8), to: url)
      } catch {
        throw TrainingError(error)
      }
      urls.append(url)
    }
    return urls
  }
}
