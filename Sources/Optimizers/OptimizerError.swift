/// What can go wrong when an optimizer takes back saved state.
///
/// Each message names the slot (`parameter/slot`, the key used in checkpoints), what was
/// expected and what was found.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
  /// The state was saved by another kind of optimizer (for example Adam state given to RMSprop).
  case optimizerMismatch(expected: String, found: String)
  /// The iteration count is negative.
  case invalidIterations(Int)
  /// A slot key does not have the form `parameter/slot`.
  case invalidSlotKey(String)
  /// The same slot appears twice in the state.
  case duplicateSlot(parameter: String, slot: String)
  /// A trainable parameter has no value for a slot this optimizer keeps.
  case missingSlot(parameter: String, slot: String)
  /// The state holds a slot for a parameter that is not trainable, not given, or not a slot
  /// this optimizer keeps.
  case unexpectedSlot(parameter: String, slot: String)
  /// A slot's shape differs from the parameter's Keras shape.
  case slotShapeMismatch(parameter: String, slot: String, expected: [Int], found: [Int])

  /// A one-line message naming the slot, what was expected and what was found.
  public var description: String {
    switch self {
    case .optimizerMismatch(let expected, let found):
      return "optimizer state: saved by \(found), expected \(expected)"
    case .invalidIterations(let count):
      return "optimizer state: iterations \(count), expected a count of 0 or more"
    case .invalidSlotKey(let key):
      return "optimizer state: slot key \"\(key)\", expected \"<parameter>/<slot>\""
    case .duplicateSlot(let parameter, let slot):
      return "optimizer state: slot \"\(parameter)/\(slot)\" appears more than once"
    case .missingSlot(let parameter, let slot):
      return "optimizer state: slot \"\(parameter)/\(slot)\" missing for a trainable parameter"
    case .unexpectedSlot(let parameter, let slot):
      return "optimizer state: slot \"\(parameter)/\(slot)\" matches no trainable parameter "
        + "and slot of this optimizer"
    case .slotShapeMismatch(let parameter, let slot, let expected, let found):
      return "optimizer state: slot \"\(parameter)/\(slot)\" has shape \(found), "
        + "expected \(expected)"
    }
  }
}
