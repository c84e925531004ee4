import Testing
import Training

@testable import NotMNISTCommands

@Suite struct TrainingRecordTests {
  static let record = TrainingRecord(
    settings: [
      RunStart.Setting(name: "model", value: "tiny, 4034 parameters"),
      RunStart.Setting(name: "note", value: "quotes \" and \\ and\nnew lines"),
    ],
    history: [
      EpochRecord(
        epoch: 1, trainLoss: 2.25, trainAccuracy: 0.125, validationLoss: 1.5,
        validationAccuracy: 0.5, learningRate: 0.001, seconds: 3.5),
      EpochRecord(
        epoch: 2, trainLoss: .nan, trainAccuracy: 0.25, validationLoss: nil,
        validationAccuracy: nil, learningRate: 0.0005, seconds: 2),
    ])

  @Test func roundTripsThroughModelFileMetadata() throws {
    let metadata = Self.record.metadata
    #expect(metadata.keys.sorted() == ["history", "settings"])

    let read = try TrainingRecord(metadata: metadata, path: "m.safetensors")

    #expect(read.settings == Self.record.settings)
    #expect(read.history.count == 2)
    #expect(read.history[0] == Self.record.history[0])
    #expect(read.history[1].trainLoss.isNaN)
    #expect(read.history[1].validationLoss == nil)
    #expect(read.history[1].learningRate == 0.0005)
  }

  @Test func storesSettingsAsNameValueObjectsInOrder() {
    #expect(
      Self.record.metadata["settings"]
        == #"[{"name":"model","value":"tiny, 4034 parameters"},"#
        + #"{"name":"note","value":"quotes \" and \\ and\nnew lines"}]"#)
    #expect(Self.record.metadata["history"]?.contains(#""trainLoss":"nan""#) == true)
  }

  @Test func missingKeysGiveAnEmptyRecord() throws {
    let read = try TrainingRecord(metadata: ["format": "swift-notmnist-model/1"], path: "m")
    #expect(read == TrainingRecord(settings: [], history: []))
  }

  @Test func malformedHistoryIsAFailureNamingFileAndKey() {
    #expect(
      throws: CommandLineError.failure(
        "m.safetensors: metadata 'history' is not the JSON list 'notmnist train' writes: [{\"epoch\": \"one\"}]"
      )
    ) {
      try TrainingRecord(metadata: ["history": "[{\"epoch\": \"one\"}]"], path: "m.safetensors")
    }
  }
}
