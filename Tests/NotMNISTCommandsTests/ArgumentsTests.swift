import Testing

@testable import NotMNISTCommands

@Suite struct ArgumentsTests {
  static let specs = [
    OptionSpec.flag("--json", "print JSON"),
    OptionSpec.value("--epochs", "N", "epochs"),
    OptionSpec.value("--learning-rate", "LR", "learning rate"),
    OptionSpec.list("--train", "PATH", "training data"),
  ]

  @Test func parsesSwitchesValuesListsAndPositionals() throws {
    let parsed = try ParsedArguments(
      [
        "a.png", "--json", "--epochs", "3", "--train", "x.tar", "y.tar", "--learning-rate=-0.5",
        "--train", "z",
      ],
      specs: Self.specs)
    #expect(parsed.positional == ["a.png"])
    #expect(parsed.has("--json"))
    #expect(try parsed.int("--epochs", default: 60, in: 1...1000) == 3)
    #expect(parsed.strings("--train") == ["x.tar", "y.tar", "z"])
    #expect(parsed.string("--learning-rate") == "-0.5")
  }

  @Test func negativeNumbersAreValuesNotFlags() throws {
    let parsed = try ParsedArguments(["--learning-rate", "-1e-3"], specs: Self.specs)
    #expect(parsed.string("--learning-rate") == "-1e-3")
  }

  @Test func everythingAfterDoubleDashIsPositional() throws {
    let parsed = try ParsedArguments(["--", "--json", "-x"], specs: Self.specs)
    #expect(parsed.positional == ["--json", "-x"])
    #expect(!parsed.has("--json"))
  }

  @Test func defaultsApplyWhenFlagsAreAbsent() throws {
    let parsed = try ParsedArguments([], specs: Self.specs)
    #expect(try parsed.int("--epochs", default: 60, in: 1...1000) == 60)
    #expect(try parsed.double("--learning-rate", default: 1e-3, in: 0...1) == 1e-3)
    #expect(parsed.strings("--train").isEmpty)
  }

  static let badCases: [UsageCase] = [
    UsageCase(
      id: "unknown flag", arguments: ["--epoch", "3"], message: "unknown option '--epoch'"),
    UsageCase(id: "unknown short flag", arguments: ["-x"], message: "unknown option '-x'"),
    UsageCase(id: "missing value", arguments: ["--epochs"], message: "--epochs needs a value (N)"),
    UsageCase(
      id: "value is a flag", arguments: ["--epochs", "--json"],
      message: "--epochs needs a value (N)"),
    UsageCase(
      id: "empty list", arguments: ["--train", "--json"],
      message: "--train needs at least one value (PATH)"),
    UsageCase(
      id: "empty value", arguments: ["--epochs", ""],
      message: "--epochs needs a non-empty value (N)"),
    UsageCase(
      id: "empty inline value", arguments: ["--train="],
      message: "--train needs a non-empty value (PATH)"),
    UsageCase(id: "value for switch", arguments: ["--json=1"], message: "--json takes no value"),
    UsageCase(
      id: "repeated single", arguments: ["--epochs", "1", "--epochs", "2"],
      message: "--epochs given more than once"),
  ]

  @Test(arguments: badCases)
  func rejectsMalformedArguments(_ badCase: UsageCase) {
    #expect(throws: CommandLineError.usage(badCase.message)) {
      try ParsedArguments(badCase.arguments, specs: Self.specs)
    }
  }

  @Test func rejectsValuesOutOfRangeWithTheValueInTheMessage() throws {
    let parsed = try ParsedArguments(
      ["--epochs", "0", "--learning-rate", "abc"], specs: Self.specs)
    #expect(throws: CommandLineError.usage("--epochs must be an integer in 1...1000, got '0'")) {
      try parsed.int("--epochs", default: 60, in: 1...1000)
    }
    #expect(
      throws: CommandLineError.usage("--learning-rate must be a number in 0.0...1.0, got 'abc'")
    ) {
      try parsed.double("--learning-rate", default: 1e-3, in: 0...1)
    }
  }
}
