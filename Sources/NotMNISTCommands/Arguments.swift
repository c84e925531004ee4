import Foundation

/// One flag a command accepts.
struct OptionSpec: Sendable {
  /// How many values follow the flag.
  enum Arity: Sendable {
    /// A switch such as `--json`: no value.
    case flag
    /// Exactly one value: `--epochs 60` or `--epochs=60`.
    case one
    /// One or more values up to the next flag: `--train a.tar.gz b.tar.gz`. Repeating the flag
    /// adds to the list.
    case many
  }

  /// The flag with its dashes, such as `--batch-size`.
  let name: String
  /// How many values it takes.
  let arity: Arity
  /// The placeholder shown in help, such as `N` or `PATH`.
  let valueName: String
  /// One line of help, defaults included.
  let help: String

  /// A switch that takes no value, such as `--json`.
  static func flag(_ name: String, _ help: String) -> OptionSpec {
    OptionSpec(name: name, arity: .flag, valueName: "", help: help)
  }

  /// A flag that takes exactly one value, such as `--epochs N`.
  static func value(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
    OptionSpec(name: name, arity: .one, valueName: valueName, help: help)
  }

  /// A flag that takes one or more values, such as `--train PATH...`.
  static func list(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
    OptionSpec(name: name, arity: .many, valueName: valueName, help: help)
  }
}

/// The arguments of one command after parsing, with typed accessors that validate values.
struct ParsedArguments: Sendable {
  /// Arguments that are not flags or flag values, in order.
  var positional: [String] = []
  /// The values given for each flag that takes values, in order of appearance.
  var values: [String: [String]] = [:]
  /// The switches that were given.
  var flags: Set<String> = []

  /// Parses `arguments` against `specs`.
  /// - Throws: `CommandLineError.usage` for an unknown flag, a missing value, a value given to a
  ///   switch, or a flag that takes one value given twice.
  init(_ arguments: [String], specs: [OptionSpec]) throws(CommandLineError) {
    let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var index = 0
    var onlyPositional = false
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if onlyPositional || !argument.hasPrefix("--") || argument == "-" {
        if !onlyPositional && argument.hasPrefix("-") && argument.count > 1 && argument != "-" {
          throw .usage("unknown option '\(argument)'")
        }
        positional.append(argument)
        continue
      }
      if argument == "--" {
        onlyPositional = true
        continue
      }

      var name = argument
      var inlineValue: String?
      if let equals = argument.firstIndex(of: "=") {
        name = String(argument[..<equals])
        inlineValue = String(argument[argument.index(after: equals)...])
      }
      guard let spec = byName[name] else {
        throw .usage("unknown option '\(name)'")
      }

      if let inlineValue, inlineValue.isEmpty, spec.arity != .flag {
        throw .usage("\(name) needs a non-empty value (\(spec.valueName))")
      }
      if inlineValue == nil, spec.arity != .flag, index < arguments.count,
        arguments[index].isEmpty
      {
        throw .usage("\(name) needs a non-empty value (\(spec.valueName))")
      }
      switch spec.arity {
      case .flag:
        if inlineValue != nil { throw .usage("\(name) takes no value") }
        flags.insert(name)
      case .one:
        if values[name] != nil { throw .usage("\(name) given more than once") }
        if let inlineValue {
          values[name] = [inlineValue]
        } else {
          guard index < arguments.count, !ArgumentsText.looksLikeFlag(arguments[index]) else {
            throw .usage("\(name) needs a value (\(spec.valueName))")
          }
          values[name] = [arguments[index]]
          index += 1
        }
      case .many:
        var list = values[name] ?? []
        if let inlineValue {
          list.append(inlineValue)
        } else {
          while index < arguments.count, !ArgumentsText.looksLikeFlag(arguments[index]) {
            list.append(arguments[index])
            index += 1
          }
        }
        if list.isEmpty { throw .usage("\(name) needs at least one value (\(spec.valueName))") }
        values[name] = list
      }
    }
  }

  /// Whether a switch was given.
  func has(_ name: String) -> Bool { flags.contains(name) }

  /// The single value of a flag, or `nil` if it was not given.
  func string(_ name: String) -> String? { values[name]?.last }

  /// All values of a flag that takes many; empty if it was not given.
  func strings(_ name: String) -> [String] { values[name] ?? [] }

  /// The value of an integer flag.
  /// - Throws: `CommandLineError.usage` if the value is not an integer within `range`.
  func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(CommandLineError)
    -> Int
  {
    guard let text = string(name) else { return value }
    guard let parsed = Int(text), range.contains(parsed) else {
      throw .usage(
        "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
    }
    return parsed
  }

  /// The value of a floating-point flag.
  /// - Throws: `CommandLineError.usage` if the value is not a finite number within `range`.
  func double(_ name: String, default value: Double, in range: ClosedRange<Double>)
    throws(CommandLineError) -> Double
  {
    guard let text = string(name) else { return value }
    guard let parsed = Double(text), parsed.isFinite, range.contains(parsed) else {
      throw .usage(
        "\(name) must be a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
    }
    return parsed
  }

  /// The value of a flag restricted to a fixed set of words.
  /// - Throws: `CommandLineError.usage` if the value is not one of `choices`.
  func choice(_ name: String, default value: String, from choices: [String])
    throws(CommandLineError) -> String
  {
    guard let text = string(name) else { return value }
    guard choices.contains(text) else {
      throw .usage("\(name) must be one of \(choices.joined(separator: ", ")), got '\(text)'")
    }
    return text
  }
}

/// Small text helpers shared by the parser and the help output.
enum ArgumentsText {
  /// Whether an argument starts a new flag rather than being a value.
  ///
  /// Negative numbers such as `-1` or `-0.5` are values.
  static func looksLikeFlag(_ argument: String) -> Bool {
    guard argument.hasPrefix("-"), argument.count > 1 else { return false }
    return Double(argument) == nil
  }

  /// Help lines for a list of flags, aligned in two columns.
  static func helpLines(for specs: [OptionSpec]) -> [String] {
    let left = specs.map { spec in
      switch spec.arity {
      case .flag: spec.name
      case .one: "\(spec.name) \(spec.valueName)"
      case .many: "\(spec.name) \(spec.valueName)..."
      }
    }
    let width = (left.map(\.count).max() ?? 0) + 2
    return zip(left, specs).map { column, spec in
      "  " + column.padding(toLength: width, withPad: " ", startingAt: 0) + spec.help
    }
  }
}
