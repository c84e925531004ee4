/// One subcommand of the `notmnist` program.
protocol Command {
  /// The words that select it, such as `data inspect`.
  static var name: String { get }
  /// One line saying what it does, for the program's help.
  static var abstract: String { get }
  /// The synopsis, such as `notmnist data inspect PATH... [--json]`.
  static var usage: String { get }
  /// The flags it accepts (`--help` is added by the program).
  static var options: [OptionSpec] { get }

  /// Validates the parsed arguments, then does the work.
  /// - Returns: the exit status (0 success, 1 when some of the work failed).
  /// - Throws: `CommandLineError.usage` for bad arguments, `.failure` when the work fails.
  static func run(_ arguments: ParsedArguments, console: Console) throws(CommandLineError) -> Int32
}
