import Testing

/// One row of a table of command-line mistakes: the arguments and the message they must give.
struct UsageCase: Sendable, CustomTestStringConvertible {
  let id: String
  let arguments: [String]
  let message: String
  var testDescription: String { id }
}
