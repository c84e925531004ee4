import TensorCore

// Note: Keras's options shared by every optimizer (`weight_decay`, `clipnorm`, `clipvalue`,
// `global_clipnorm`, `use_ema`, `loss_scale_factor`, `gradient_accumulation_steps`) are left
// out: the reference model trains with none of them, and L2 reaches the gradient through the
// layers' regularizers. Each would be one more elementwise pass in `update(_:)`.
//
// Note: updates run on the calling thread. An RMSprop step over the reference model's 1.35 M
// parameters takes about 2.2 ms on this machine (under 1% of a training step), bounded by the
// lane-by-lane square root and memory traffic. Splitting parameters across the two cores could
// save at most about 1 ms; measured with the other core busy it saved nothing, so it is not
// done.

/// A first-order optimizer that updates parameters in place from their gradients, with Keras 3
/// semantics.
///
/// One call to ``update(_:)`` is one Keras `optimizer.apply(grads, vars)`: it reads the learning
/// rate from the schedule at step ``iterations``, updates every trainable parameter's `value`
/// from its `gradient` (which already includes any L2 term), then adds one to ``iterations``.
/// Non-trainable parameters (batch-norm moving statistics) are skipped and get no slots.
///
/// Slots (velocities, momenta) live in each parameter's storage layout and are made at its
/// first update. ``state()`` and ``restore(_:parameters:)`` save and load them in Keras layout,
/// so a resumed run continues bit for bit.
///
/// Optimizers are reference types holding mutable state; use one from one thread at a time.
public protocol Optimizer: AnyObject {
  /// The optimizer and its hyperparameters.
  var configuration: OptimizerConfiguration { get }
  /// Updates applied so far (Keras `iterations`); the global step of the next update.
  var iterations: Int { get }

  /// Applies one update to every trainable parameter and advances ``iterations``.
  ///
  /// Each parameter is updated elementwise over its `storageCount` elements: padding elements
  /// have zero gradients and stay zero.
  /// - Parameter parameters: the model's parameters (non-trainable ones are skipped), with
  ///   gradients from the last backward pass. Names must be unique.
  func update(_ parameters: [Parameter])

  /// The iteration count, configuration and every slot in Keras layout.
  func state() -> OptimizerState

  /// Replaces the iteration count and every slot with saved ones.
  ///
  /// Hyperparameters stay this optimizer's own: to resume a run exactly, build the optimizer
  /// from `state.configuration.makeOptimizer()` first. Nothing changes when a check fails.
  /// - Parameters:
  ///   - state: state saved by ``state()`` from an optimizer of the same kind.
  ///   - parameters: the parameters the slots belong to (their storage layouts receive the
  ///     values); non-trainable ones are ignored.
  /// - Throws: ``OptimizerError/optimizerMismatch(expected:found:)`` for another kind of
  ///   optimizer, ``OptimizerError/invalidIterations(_:)``, and the slot errors: a duplicated,
  ///   missing or unexpected slot, or one whose shape is not the parameter's.
  func restore(_ state: OptimizerState, parameters: [Parameter]) throws(OptimizerError)
}

extension Optimizer {
  /// The learning rate the next update will use (the schedule at ``iterations``).
  public var learningRate: Float {
    configuration.learningRateSchedule.learningRate(atStep: iterations)
  }
}

/// Checks the parts of a state that do not depend on the slots.
func validateHeader(of state: OptimizerState, for configuration: OptimizerConfiguration)
  throws(OptimizerError)
{
  guard state.configuration.className == configuration.className else {
    throw .optimizerMismatch(
      expected: configuration.className, found: state.configuration.className)
  }
  guard state.iterations >= 0 else { throw .invalidIterations(state.iterations) }
}
