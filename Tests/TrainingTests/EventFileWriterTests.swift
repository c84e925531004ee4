import Foundation
import Testing
import TestSupport

@testable import Training

/// A clock that returns a fixed time, advanced by hand.
final class ManualClock {
  var now: Double

  init(_ now: Double) { self.now = now }

  func read() -> Double { now }
}

@Suite struct EventFileWriterTests {
  static let tags = [
    "train/loss", "train/accuracy", "val/loss", "val/accuracy", "optimizer/learning_rate",
  ]

  /// The value written for tag number `tag` at `step`: distinct and not exactly representable
  /// in few digits, so a reader that loses float bits fails.
  static func value(tag: Int, step: Int) -> Float {
    Float(tag + 1) / 3 + Float(step) * 0.0123
  }

  /// Writes every tag at steps 10, 20 and 30 and closes the file.
  static func writeSample(in directory: URL, clock: ManualClock) throws -> URL {
    let writer = try EventFileWriter(
      directory: directory, hostname: "testhost", clock: clock.read)
    for step in [10, 20, 30] {
      clock.now += 1
      for (index, tag) in tags.enumerated() {
        try writer.addScalar(tag, value: value(tag: index, step: step), step: step)
      }
    }
    try writer.close()
    return writer.fileURL
  }

  @Test func fileIsNamedAfterTheSecondAndHost() throws {
    let directory = try TemporaryDirectory()
    let clock = ManualClock(1_700_000_000.75)
    let url = try Self.writeSample(in: directory.url.appendingPathComponent("run"), clock: clock)

    #expect(url.lastPathComponent == "events.out.tfevents.1700000000.testhost")
    #expect(url.deletingLastPathComponent().lastPathComponent == "run")
  }

  @Test func secondWriterInTheSameSecondGetsASuffix() throws {
    let directory = try TemporaryDirectory()
    let clock = ManualClock(1_700_000_000)
    let first = try EventFileWriter(directory: directory.url, hostname: "h", clock: clock.read)
    let second = try EventFileWriter(directory: directory.url, hostname: "h", clock: clock.read)

    #expect(first.fileURL.lastPathComponent == "events.out.tfevents.1700000000.h")
    #expect(second.fileURL.lastPathComponent == "events.out.tfevents.1700000000.h.1")
    #expect(EventFileReader.eventFiles(in: directory.url) == [first.fileURL, second.fileURL])
  }

  @Test func swiftReaderSeesVersionRecordThenEveryScalar() throws {
    let directory = try TemporaryDirectory()
    let clock = ManualClock(1_700_000_000.5)
    let events = try EventFileReader.events(
      at: Self.writeSample(in: directory.url, clock: clock))

    #expect(events.count == 1 + 3 * Self.tags.count)
    #expect(
      events[0]
        == TensorBoardEvent(
          wallTime: 1_700_000_000.5, step: 0, fileVersion: "brain.Event:2"))
    for (offset, event) in events.dropFirst().enumerated() {
      let (stepIndex, tagIndex) = offset.quotientAndRemainder(dividingBy: Self.tags.count)
      let step = 10 * (stepIndex + 1)
      #expect(
        event
          == TensorBoardEvent(
            wallTime: 1_700_000_000.5 + Double(stepIndex + 1), step: Int64(step),
            scalars: [.init(tag: Self.tags[tagIndex], value: Self.value(tag: tagIndex, step: step))]
          ))
    }
  }

  /// Prints the file version and, per scalar tag, `[step, float bits, wall time]` as JSON.
  static let tensorBoardScript = """
    import json, struct, sys
    from tensorboard.backend.event_processing import event_accumulator as ea
    acc = ea.EventAccumulator(sys.argv[1], size_guidance={ea.SCALARS: 0})
    acc.Reload()
    bits = lambda v: struct.unpack("<I", struct.pack("<f", v))[0]
    scalars = {t: [[e.step, bits(e.value), e.wall_time] for e in acc.Scalars(t)]
               for t in acc.Tags()["scalars"]}
    print(json.dumps({"version": acc.file_version, "scalars": scalars}))
    """

  @Test func tensorBoardReadsTheTagsStepsAndValues() throws {
    let directory = try TemporaryDirectory()
    _ = try Self.writeSample(in: directory.url, clock: ManualClock(1_700_000_000))
    let script = Self.tensorBoardScript
    let output = try #require(
      Python.json(script, arguments: [directory.url.path]) as? [String: Any])
    let scalars = try #require(output["scalars"] as? [String: [[Double]]])

    #expect(output["version"] as? Double == 2)
    #expect(scalars.keys.sorted() == Self.tags.sorted())
    for (index, tag) in Self.tags.enumerated() {
      let expected = [10, 20, 30].enumerated().map { stepIndex, step in
        [
          Double(step), Double(Self.value(tag: index, step: step).bitPattern),
          1_700_000_001 + Double(stepIndex),
        ]
      }
      #expect(scalars[tag] == expected, "tag \(tag)")
    }
  }

  @Test func tensorBoardSeesFlushedScalarsWhileTheFileIsOpen() throws {
    let directory = try TemporaryDirectory()
    let writer = try EventFileWriter(
      directory: directory.url, hostname: "h", flushThreshold: 1 << 20,
      flushInterval: .infinity, clock: ManualClock(1_700_000_000).read)
    try writer.addScalar("train/loss", value: 0.5, step: 7)
    try writer.flush()

    let output = try #require(
      Python.json(Self.tensorBoardScript, arguments: [directory.url.path]) as? [String: Any])
    let scalars = try #require(output["scalars"] as? [String: [[Double]]])
    #expect(scalars == ["train/loss": [[7, Double(Float(0.5).bitPattern), 1_700_000_000]]])
    try writer.close()
  }

  @Test func bufferedScalarsReachTheFileOnFlush() throws {
    let directory = try TemporaryDirectory()
    let writer = try EventFileWriter(
      directory: directory.url, hostname: "h", flushThreshold: 1 << 20,
      flushInterval: .infinity, clock: ManualClock(0).read)
    let versionOnly = try fileSize(writer.fileURL)

    try writer.addScalar("train/loss", value: 1, step: 1)
    #expect(try fileSize(writer.fileURL) == versionOnly)

    try writer.flush()
    #expect(try fileSize(writer.fileURL) > versionOnly)
    #expect(try EventFileReader.events(at: writer.fileURL).count == 2)
  }

  @Test func addWritesTheBufferOnceTheIntervalHasPassed() throws {
    let directory = try TemporaryDirectory()
    let clock = ManualClock(100)
    let writer = try EventFileWriter(
      directory: directory.url, hostname: "h", flushThreshold: 1 << 20, flushInterval: 2,
      clock: clock.read)

    clock.now = 101
    try writer.addScalar("train/loss", value: 1, step: 1)
    #expect(try EventFileReader.events(at: writer.fileURL).count == 1)

    clock.now = 102
    try writer.addScalar("train/loss", value: 2, step: 2)
    #expect(try EventFileReader.events(at: writer.fileURL).count == 3)
  }

  @Test func addWritesTheBufferOnceItPassesTheThreshold() throws {
    let directory = try TemporaryDirectory()
    let writer = try EventFileWriter(
      directory: directory.url, hostname: "h", flushThreshold: 140, flushInterval: .infinity,
      clock: ManualClock(0).read)

    // Each record of this tag is 16 bytes of framing plus a 32-byte event: 48, 96, then 144.
    for step in 1...2 { try writer.addScalar("train/loss", value: 1, step: step) }
    #expect(try EventFileReader.events(at: writer.fileURL).count == 1)

    try writer.addScalar("train/loss", value: 1, step: 3)
    #expect(try EventFileReader.events(at: writer.fileURL).count == 4)
  }

  private func fileSize(_ url: URL) throws -> Int {
    try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? -1
  }
}

// MARK: - Reader errors

extension EventFileWriterTests {
  struct Corruption: Sendable, CustomStringConvertible {
    let description: String
    let change: @Sendable ([UInt8]) -> [UInt8]
    let message: @Sendable (String) -> String
  }

  /// The version record is 16 bytes of framing plus 26 bytes of event (9 for the wall time, 2
  /// for step 0, 15 for the version string), so the scalar record starts at byte 42.
  static let corruptions: [Corruption] = [
    Corruption(
      description: "flipped data byte",
      change: {
        var b = $0; b[60] ^= 1; return b
      },
      message: { "\($0): record at byte 42: data CRC mismatch" }),
    Corruption(
      description: "flipped length byte",
      change: {
        var b = $0; b[42] ^= 1; return b
      },
      message: { "\($0): record at byte 42: length CRC mismatch" }),
    Corruption(
      description: "truncated data",
      change: { Array($0.prefix(60)) },
      message: { "\($0): record at byte 42: data of 32 bytes runs past the end of the file" }),
    Corruption(
      description: "truncated header",
      change: { Array($0.prefix(45)) },
      message: { "\($0): record at byte 42: a record needs at least 16 bytes, 3 remain" }),
    Corruption(
      description: "torn record with a whole header",
      change: { Array($0.prefix(54)) },
      message: { "\($0): record at byte 42: a record needs at least 16 bytes, 12 remain" }),
    Corruption(
      description: "torn record one byte short of the smallest",
      change: { Array($0.prefix(57)) },
      message: { "\($0): record at byte 42: a record needs at least 16 bytes, 15 remain" }),
  ]

  @Test(arguments: corruptions)
  func readerRejectsCorruptRecords(_ corruption: Corruption) throws {
    let directory = try TemporaryDirectory()
    let writer = try EventFileWriter(
      directory: directory.url, hostname: "h", clock: ManualClock(0).read)
    try writer.addScalar("train/loss", value: 0.5, step: 1)
    try writer.close()
    let bytes = try Data(contentsOf: writer.fileURL)
    try Data(corruption.change(Array(bytes))).write(to: writer.fileURL)

    #expect(bytes.count == 42 + 16 + 32)
    #expect(throws: TrainingError.self) { try EventFileReader.events(at: writer.fileURL) }
    do {
      _ = try EventFileReader.events(at: writer.fileURL)
    } catch {
      #expect(error.description == corruption.message(writer.fileURL.path))
    }
  }
}
