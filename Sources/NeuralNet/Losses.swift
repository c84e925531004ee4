import Foundation

/// Softmax and categorical cross-entropy on logits, computed stably.
enum Losses {
  /// Writes `softmax(z)` of each row of `logits` (`[N, K]`, row-major) into `probabilities`.
  ///
  /// `p_k = exp(z_k - m) / Σ_j exp(z_j - m)` with `m = max_j z_j`, so no `exp` overflows.
  static func softmax(
    _ logits: UnsafePointer<Float>, rows: Int, classes: Int,
    into probabilities: UnsafeMutablePointer<Float>
  ) {
    for n in 0..<rows {
      let z = logits + n * classes
      let p = probabilities + n * classes
      var m = z[0]
      for k in 1..<classes { m = max(m, z[k]) }
      var sum: Float = 0
      for k in 0..<classes {
        p[k] = expf(z[k] - m)
        sum += p[k]
      }
      for k in 0..<classes { p[k] /= sum }
    }
  }

  /// Categorical cross-entropy of softmax(logits) against integer labels, summed over rows.
  ///
  /// Note: Keras computes the loss from probabilities clipped to `[1e-7, 1 - 1e-7]`, which caps
  /// one sample's loss at about 16.1 and zeroes its gradient there. This works from the logits
  /// without the clip; the two agree until a sample's true-class probability drops below 1e-7,
  /// which happens only for badly diverged models.
  ///
  /// `loss_n = log Σ_j exp(z_j - m) - (z_y - m)`; with `gradient` given, writes
  /// `d(mean loss)/dz = (softmax(z) - onehot(y)) · scale` (pass `scale = 1 / N` for the mean).
  /// - Returns: the summed loss (Double) and the number of rows whose arg-max equals the label.
  static func crossEntropy(
    logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, classes: Int,
    gradient: UnsafeMutablePointer<Float>?, scale: Float
  ) -> (sum: Double, correct: Int) {
    var total: Double = 0
    var correct = 0
    for n in 0..<rows {
      let z = logits + n * classes
      let label = Int(labels[n])
      precondition(
        label >= 0 && label < classes,
        "label \(label) of row \(n) is outside 0..<\(classes)")
      var m = z[0]
      var best = 0
      for k in 1..<classes where z[k] > m {
        m = z[k]
        best = k
      }
      if best == label { correct += 1 }
      var sum: Double = 0
      for k in 0..<classes { sum += Double(expf(z[k] - m)) }
      total += log(sum) - Double(z[label] - m)
      if let gradient {
        let g = gradient + n * classes
        for k in 0..<classes {
          let p = Float(Double(expf(z[k] - m)) / sum)
          g[k] = (p - (k == label ? 1 : 0)) * scale
        }
      }
    }
    return (total, correct)
  }
}
