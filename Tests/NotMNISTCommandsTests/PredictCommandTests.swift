import Foundation
import Testing

@testable import NotMNISTCommands

@Suite struct PredictCommandTests {
  @Test func jsonWritesNonFiniteProbabilitiesAsNull() throws {
    let text = PredictCommand.json(
      [(name: "a.png", top: [("A", Float.nan), ("B", Float.infinity), ("C", 0.25)])], [])
    #expect(
      text
        == "{\"predictions\": [{\"path\": \"a.png\", \"top\": [{\"letter\": \"A\", \"probability\":"
        + " null}, {\"letter\": \"B\", \"probability\": null}, {\"letter\": \"C\","
        + " \"probability\": 0.25}]}], \"failures\": []}\n")
    let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    #expect(parsed?["predictions"] is [Any])
  }
}
