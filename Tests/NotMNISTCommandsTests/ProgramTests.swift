import Testing

@testable import NotMNISTCommands

/// Runs the program in-process and captures what it writes.
func runProgram(_ arguments: [String]) -> (status: Int32, out: String, error: String) {
  final class Capture: @unchecked Sendable {
    var out = ""
    var error = ""
  }
  let capture = Capture()
  let console = Console(
    isErrorTerminal: false, out: { capture.out += $0 }, error: { capture.error += $0 })
  let status = Program.run(arguments, console: console)
  return (status, capture.out, capture.error)
}

@Suite struct ProgramTests {
  @Test func noArgumentsIsAUsageErrorWithHelpOnStandardError() {
    let result = runProgram([])
    #expect(result.status == 64)
    #expect(result.out.isEmpty)
    #expect(result.error.contains("usage: notmnist COMMAND [OPTIONS]"))
  }

  @Test func helpGoesToStandardOutput() {
    let result = runProgram(["help"])
    #expect(result.status == 0)
    #expect(result.out.contains("commands:"))
  }

  @Test func unknownCommandExitsWithUsageStatusAndHint() {
    let result = runProgram(["frobnicate", "--x"])
    #expect(result.status == 64)
    #expect(
      result.error == """
        error: unknown command 'frobnicate'
        hint: run 'notmnist help' for the list of commands

        """)
  }

  @Test func versionPrintsTheVersion() {
    let result = runProgram(["--version"])
    #expect(result.status == 0)
    #expect(result.out == "notmnist \(Program.version)\n")
  }
}
