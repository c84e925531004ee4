import Foundation
import TestSupport
import Testing

@Suite struct PythonRunnerTests {
  @Test func scriptWritingMoreThanAPipeBufferToStderrStillReturnsItsOutput() {
    let output = Python.run(
      "import sys; sys.stderr.write('x' * 300_000); sys.stderr.flush(); print('done')")
    #expect(output == "done\n")
  }

  @Test func failingScriptReportsItsStderr() {
    withKnownIssue {
      let output = Python.run("import sys; sys.stderr.write('y' * 300_000 + 'end'); sys.exit(3)")
      #expect(output == nil)
    } matching: { issue in
      issue.comments.contains { $0.rawValue.hasPrefix("Python exited with 3:\nyyy") }
        && issue.comments.contains { $0.rawValue.hasSuffix("yend") }
    }
  }
}
