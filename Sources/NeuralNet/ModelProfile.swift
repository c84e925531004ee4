/// Per-layer forward and backward times of a training step.
///
/// Made by ``Model/profile(batch:iterations:warmupIterations:generator:)``.
/// Each layer's time is the median over the timed iterations of that layer's pass alone, the
/// stream waited on before and after it. A layer's backward time includes summing the gradient
/// parts of its consumers when several layers read it.
public struct ModelProfile: Sendable, Equatable {
  /// One layer's times and cost.
  public struct Entry: Sendable, Equatable {
    /// The layer's name, kind and operations at the profiled batch size.
    public var cost: LayerCost
    /// Median forward time, in milliseconds.
    public var forwardMilliseconds: Double
    /// Median backward time, in milliseconds (0 for the input layer).
    public var backwardMilliseconds: Double
    /// The oneDNN implementations of the layer's primitives other than reorders, each name once,
    /// in the order the plan built them (such as `jit_wino_4x3:avx512_core`); empty for layers
    /// computed without oneDNN.
    public var kernels: [String]

    /// Creates an entry.
    /// - Parameters:
    ///   - cost: the layer's operations at the profiled batch size.
    ///   - forwardMilliseconds: median forward time.
    ///   - backwardMilliseconds: median backward time.
    ///   - kernels: the oneDNN implementations the layer ran; default none.
    public init(
      cost: LayerCost, forwardMilliseconds: Double, backwardMilliseconds: Double,
      kernels: [String] = []
    ) {
      self.cost = cost
      self.forwardMilliseconds = forwardMilliseconds
      self.backwardMilliseconds = backwardMilliseconds
      self.kernels = kernels
    }

    /// `forwardFLOPs / forward time`, or nil for a layer without counted operations.
    public var forwardGFLOPS: Double? {
      Entry.rate(cost.forwardFLOPs, milliseconds: forwardMilliseconds)
    }

    /// `(backward data + backward weights FLOPs) / backward time`, or nil without operations.
    public var backwardGFLOPS: Double? {
      Entry.rate(cost.backwardFLOPs, milliseconds: backwardMilliseconds)
    }

    private static func rate(_ flops: Int, milliseconds: Double) -> Double? {
      guard flops > 0, milliseconds > 0 else { return nil }
      return Double(flops) / (milliseconds * 1e6)
    }
  }

  /// The batch size profiled.
  public var batch: Int
  /// The number format the model computed in.
  public var precision: Precision
  /// Timed iterations behind each median.
  public var iterations: Int
  /// One entry per layer, in model order.
  public var layers: [Entry]
  /// Median time of the softmax cross-entropy and its gradient, in milliseconds.
  public var lossMilliseconds: Double

  /// Creates a profile.
  /// - Parameters:
  ///   - batch: the batch size.
  ///   - precision: the model's number format.
  ///   - iterations: the timed iterations.
  ///   - layers: one entry per layer.
  ///   - lossMilliseconds: median time of the loss and its gradient; default 0.
  public init(
    batch: Int, precision: Precision, iterations: Int, layers: [Entry],
    lossMilliseconds: Double = 0
  ) {
    self.batch = batch
    self.precision = precision
    self.iterations = iterations
    self.layers = layers
    self.lossMilliseconds = lossMilliseconds
  }

  /// The sum of the layers' median forward times, in milliseconds.
  public var forwardMilliseconds: Double { layers.reduce(0) { $0 + $1.forwardMilliseconds } }

  /// The sum of the layers' median backward times, in milliseconds.
  public var backwardMilliseconds: Double { layers.reduce(0) { $0 + $1.backwardMilliseconds } }
}
