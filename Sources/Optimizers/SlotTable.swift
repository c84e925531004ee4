import TensorCore

/// The per-parameter state of an optimizer: for each trainable parameter, one buffer per slot
/// name, in the parameter's storage layout, created at the parameter's first update.
///
/// Slots are keyed by parameter name and remember the parameter they were made for, so that
/// they can be exported in Keras layout without the caller passing the parameters again.
struct SlotTable {
  /// The buffers of one parameter, in ``slotNames`` order.
  final class Entry {
    /// The parameter the buffers follow; its storage layout is theirs.
    let parameter: Parameter
    /// One buffer per slot name.
    let buffers: [AlignedBuffer]

    init(parameter: Parameter, slotCount: Int) {
      self.parameter = parameter
      buffers = (0..<slotCount).map { _ in AlignedBuffer(count: parameter.storageCount) }
    }
  }

  /// The Keras slot names this optimizer keeps, such as `["velocity", "momentum"]`.
  let slotNames: [String]
  private var entries: [String: Entry] = [:]
  private var order: [String] = []

  init(slotNames: [String]) {
    self.slotNames = slotNames
  }

  /// The slot buffers of a parameter, made (zero-filled) on its first use.
  /// - Precondition: no other parameter object with the same name has been seen.
  mutating func buffers(for parameter: Parameter) -> [UnsafeMutablePointer<Float>] {
    if let entry = entries[parameter.name] {
      precondition(
        entry.parameter === parameter,
        "Optimizer slots of \(parameter.name) belong to another parameter with that name; "
          + "parameter names must be unique")
      return entry.buffers.map(\.pointer)
    }
    let entry = Entry(parameter: parameter, slotCount: slotNames.count)
    entries[parameter.name] = entry
    order.append(parameter.name)
    return entry.buffers.map(\.pointer)
  }

  /// Every slot in Keras layout, in first-update order.
  func export() -> [OptimizerSlot] {
    var slots: [OptimizerSlot] = []
    for name in order {
      guard let entry = entries[name] else { continue }
      for (slotName, buffer) in zip(slotNames, entry.buffers) {
        let value = entry.parameter.kerasTensor(of: buffer.pointer)
        slots.append(OptimizerSlot(parameterName: name, slotName: slotName, value: value))
      }
    }
    return slots
  }

  /// Replaces every slot with the values in `slots`, after checking them all.
  ///
  /// Each trainable parameter needs every slot name, with its Keras shape; a state at
  /// iteration 0 may instead hold no slots for a parameter (it was never updated), which then
  /// starts from zeros. Nothing changes when a check fails.
  /// - Throws: ``OptimizerError`` naming the first slot that is duplicated, missing, unexpected
  ///   or of the wrong shape.
  mutating func restore(_ slots: [OptimizerSlot], iterations: Int, parameters: [Parameter])
    throws(OptimizerError)
  {
    var byKey: [String: OptimizerSlot] = [:]
    for slot in slots {
      guard byKey.updateValue(slot, forKey: slot.key) == nil else {
        throw .duplicateSlot(parameter: slot.parameterName, slot: slot.slotName)
      }
    }

    var restored: [(Parameter, [Tensor]?)] = []
    for parameter in parameters where parameter.isTrainable {
      let found = slotNames.map { byKey.removeValue(forKey: "\(parameter.name)/\($0)") }
      if found.allSatisfy({ $0 == nil }) && iterations == 0 {
        restored.append((parameter, nil))
        continue
      }
      var values: [Tensor] = []
      for (slotName, slot) in zip(slotNames, found) {
        guard let slot else { throw .missingSlot(parameter: parameter.name, slot: slotName) }
        guard slot.value.shape == parameter.shape else {
          throw .slotShapeMismatch(
            parameter: parameter.name, slot: slotName, expected: parameter.shape,
            found: slot.value.shape)
        }
        values.append(slot.value)
      }
      restored.append((parameter, values))
    }
    if let extra = slots.first(where: { byKey[$0.key] != nil }) {
      throw .unexpectedSlot(parameter: extra.parameterName, slot: extra.slotName)
    }

    entries = [:]
    order = []
    for (parameter, values) in restored {
      let buffers = buffers(for: parameter)
      guard let values else { continue }
      for (buffer, value) in zip(buffers, values) {
        parameter.setKeras(value, into: buffer)
      }
    }
  }
}
