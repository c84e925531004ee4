import Foundation
import NotMNISTCommands

let status = Program.run(Array(CommandLine.arguments.dropFirst()), console: .standard())
exit(status)
