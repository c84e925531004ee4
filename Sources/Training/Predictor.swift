import Datasets
import NeuralNet
import TensorCore

/// Runs a model in inference mode over an image set, in batches.
public enum Predictor {
  /// The class probabilities of every image.
  /// - Parameters:
  ///   - model: the model.
  ///   - images: the images (labels are not used).
  ///   - batchSize: images per forward pass; default 512.
  /// - Returns: `[N, classCount]` probabilities, one row per image in set order.
  /// - Throws: ``TrainingError/engine(_:)`` when the engine fails.
  public static func probabilities(model: Model, images: ImageSet, batchSize: Int = 512)
    throws(TrainingError) -> Tensor
  {
    precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
    let classes = model.classCount
    var scalars: [Float] = []
    scalars.reserveCapacity(images.count * classes)
    var buffer = [Float](repeating: 0, count: batchSize * ImageSet.pixelsPerImage)
    var start = 0
    while start < images.count {
      let indices = start..<min(start + batchSize, images.count)
      buffer.withUnsafeMutableBufferPointer { images.writeBatch(indices: indices, into: $0) }
      do {
        let batch = try buffer.withUnsafeBufferPointer { pixels throws(NeuralNetError) in
          try model.predict(images: pixels.baseAddress!, count: indices.count)
        }
        scalars += batch.scalars
      } catch {
        throw .engine(error.description)
      }
      start = indices.upperBound
    }
    return Tensor(shape: [images.count, classes], scalars: scalars)
  }

  /// The arg-max class of each row of a probability matrix.
  /// - Parameter probabilities: `[N, classes]`.
  /// - Returns: `N` class indices; ties go to the lower class.
  public static func classes(of probabilities: Tensor) -> [Int] {
    let classes = probabilities.shape[1]
    return (0..<probabilities.shape[0]).map { row in
      var best = 0
      for c in 1..<classes
      where probabilities.scalars[row * classes + c]
        > probabilities.scalars[row * classes + best]
      {
        best = c
      }
      return best
    }
  }

  /// The evaluation report of a model on a labelled image set.
  /// - Parameters:
  ///   - model: the model.
  ///   - images: the images and their true labels.
  /// - Returns: the confusion matrix and per-class metrics.
  /// - Throws: ``TrainingError/engine(_:)`` when the engine fails.
  public static func report(model: Model, images: ImageSet) throws(TrainingError)
    -> ClassificationReport
  {
    let predicted = classes(of: try probabilities(model: model, images: images))
    return ClassificationReport(
      trueLabels: images.labels.map { Int($0) }, predictedLabels: predicted)
  }
}
