import Foundation

/// The `notmnist` program: picks the subcommand, parses its flags and reports errors.
public enum Program {
  /// The program's version.
  public static let version = "0.1.0"

  /// Every subcommand, in the order the help lists them.
  static var commands: [any Command.Type] {
    [
      TrainCommand.self,
      EvaluateCommand.self,
      ReportCommand.self,
      PredictCommand.self,
      SummaryCommand.self,
      BenchCommand.self,
      ConvertCommand.self,
      DataInspectCommand.self,
      DataGridCommand.self,
      DataRenderCommand.self,
      DataFetchCommand.self,
    ]
  }

  /// Runs the program with the arguments that follow the program name.
  /// - Returns: the process exit status: 0 success, 1 runtime failure, 64 usage error.
  public static func run(_ arguments: [String], console: Console) -> Int32 {
    if arguments.isEmpty {
      console.note(helpText())
      return 64
    }
    if ["help", "--help", "-h"].contains(arguments[0]) {
      console.print(helpText())
      return 0
    }
    if arguments[0] == "--version" {
      console.print("notmnist \(version)")
      return 0
    }

    guard let (command, rest) = match(arguments) else {
      let words = arguments.prefix { !$0.hasPrefix("-") }.joined(separator: " ")
      console.note("error: unknown command '\(words)'")
      console.note("hint: run 'notmnist help' for the list of commands")
      return 64
    }
    if rest.contains("--help") || rest.contains("-h") {
      console.print(help(for: command))
      return 0
    }

    do {
      let parsed = try ParsedArguments(rest, specs: command.options)
      return try command.run(parsed, console: console)
    } catch {
      console.note("error: \(error.description)")
      if case .usage = error {
        console.note("usage: \(command.usage)")
      }
      return error.exitCode
    }
  }

  /// Finds the command whose words start the arguments, preferring the longest name.
  private static func match(_ arguments: [String]) -> (any Command.Type, [String])? {
    let sorted = commands.sorted { $0.name.count > $1.name.count }
    for command in sorted {
      let words = command.name.split(separator: " ").map(String.init)
      if arguments.count >= words.count, Array(arguments.prefix(words.count)) == words {
        return (command, Array(arguments.dropFirst(words.count)))
      }
    }
    return nil
  }

  /// The program's help: what it is and each command with its one-line abstract.
  static func helpText() -> String {
    let width = (commands.map { $0.name.count }.max() ?? 0) + 2
    var lines = [
      "notmnist \(version): train, evaluate and serve an inception-style CNN on notMNIST letters.",
      "",
      "usage: notmnist COMMAND [OPTIONS]",
      "",
      "commands:",
    ]
    for command in commands {
      lines.append(
        "  " + command.name.padding(toLength: width, withPad: " ", startingAt: 0)
          + command.abstract)
    }
    lines += ["", "Run 'notmnist COMMAND --help' for a command's options."]
    return lines.joined(separator: "\n")
  }

  /// One command's help: synopsis, abstract and flags.
  static func help(for command: any Command.Type) -> String {
    var lines = ["usage: \(command.usage)", "", command.abstract]
    if !command.options.isEmpty {
      lines += ["", "options:"] + ArgumentsText.helpLines(for: command.options)
    }
    return lines.joined(separator: "\n")
  }
}
