import Foundation
import Testing
import TestSupport

@testable import TensorCore

@Suite struct AtomicFileTests {
  @Test func createsTheFileAndLeavesNoTemporaryBehind() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("report.json")
    try AtomicFile.write(Data("first".utf8), to: url)

    #expect(try String(contentsOf: url, encoding: .utf8) == "first")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["report.json"])
  }

  @Test func replacesAnExistingFile() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("checkpoint.safetensors")
    try AtomicFile.write(Data("old contents".utf8), to: url)
    try AtomicFile.write([0x6E, 0x65, 0x77], to: url)

    #expect(try String(contentsOf: url, encoding: .utf8) == "new")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).count == 1)
  }

  @Test func failedRenameKeepsTheOldEntryAndRemovesTheTemporary() throws {
    let directory = try TemporaryDirectory()
    let target = directory.file("taken")
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
    try Data("keep".utf8).write(to: target.appendingPathComponent("inside"))

    #expect(
      throws: FileError.io(path: target.path, operation: "rename", reason: "Is a directory")
    ) {
      try AtomicFile.write(Data("new".utf8), to: target)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["taken"])
    #expect(
      try String(contentsOf: target.appendingPathComponent("inside"), encoding: .utf8) == "keep")
  }

  @Test func missingDirectoryIsReportedWithThePath() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("missing/report.json")

    do {
      try AtomicFile.write(Data("x".utf8), to: url)
      Issue.record("wrote into a missing directory")
    } catch {
      #expect(error.description.hasPrefix(directory.url.path + "/missing/.report.json.tmp-"))
      #expect(error.description.hasSuffix(": open failed: No such file or directory"))
    }
  }

  @Test func temporaryFilesBesideTheSameTargetGetDistinctNames() throws {
    let directory = try TemporaryDirectory()
    let url = directory.file("render.tar.gz")
    let first = try AtomicFile.createTemporary(beside: url)
    let second = try AtomicFile.createTemporary(beside: url)

    #expect(first != second)
    #expect(first.hasPrefix(directory.url.path + "/.render.tar.gz.tmp-"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).count == 2)
  }

  @Test func moveDurablyReplacesTheTargetWithTheFinishedFile() throws {
    let directory = try TemporaryDirectory()
    let target = directory.file("archive.tar.gz")
    try Data("old".utf8).write(to: target)
    let part = directory.file("archive.tar.gz.part")
    try Data("complete".utf8).write(to: part)

    try AtomicFile.moveDurably(part.path, over: target.path)

    #expect(try String(contentsOf: target, encoding: .utf8) == "complete")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        == ["archive.tar.gz"])
  }

  @Test func moveDurablyOfAMissingFileNamesIt() throws {
    let directory = try TemporaryDirectory()
    let part = directory.file("gone.part")
    #expect(
      throws: FileError.io(path: part.path, operation: "open", reason: "No such file or directory")
    ) {
      try AtomicFile.moveDurably(part.path, over: directory.file("gone").path)
    }
  }
}
