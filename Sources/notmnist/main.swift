import Foundation
import NotMNISTCommands

let console = Console.standard()
var status = Program.run(Array(CommandLine.arguments.dropFirst()), console: console)
if console.hasOutputFailed {
  console.note("error: cannot write to standard output")
  status = max(status, 1)
}
exit(status)
