import Foundation
import Testing

@testable import Datasets

@Suite struct FontRendererTests {
  struct SkipCase: Sendable, CustomTestStringConvertible {
    let fixture: String
    let reason: FontSkipReason
    var testDescription: String { "\(fixture) -> \(reason)" }
  }

  @Test(arguments: [
    SkipCase(fixture: "OnlyA.ttf", reason: .missingLetter),
    SkipCase(fixture: "BlankB.ttf", reason: .emptyGlyph),
    SkipCase(fixture: "SameBox.ttf", reason: .sameImageForLetters),
  ])
  func unusableFontIsSkippedAndCountedByReason(_ skipCase: SkipCase) throws {
    let result = try FontRenderer().render(paths: [FontFixtures.path(skipCase.fixture)])
    #expect(result.faces.isEmpty)
    #expect(result.summary.skipped == [skipCase.reason: 1])
    #expect(result.summary.facesFound == 1)
    #expect(result.summary.facesRendered == 0)
  }

  @Test func collectionRendersEveryFaceUnderItsIndex() throws {
    let result = try FontRenderer().render(paths: [FontFixtures.path("Holes.ttc")])
    #expect(result.faces.map(\.name) == ["Holes.ttc#0", "Holes.ttc#1"])
    #expect(result.faces.map(\.faceIndex) == [0, 1])
    #expect(result.faces.allSatisfy { $0.images.count == 10 })
    #expect(result.faces[0].images != result.faces[1].images)
  }

  @Test func variableFontRendersEachNamedInstance() throws {
    let result = try FontRenderer().render(paths: [FontFixtures.path("HolesVariable.ttf")])
    #expect(
      result.faces.map(\.name) == [
        "HolesVariable.ttf", "HolesVariable.ttf@1", "HolesVariable.ttf@2",
      ])
    #expect(result.faces.map(\.instance) == [0, 1, 2])
    #expect(Set(result.faces.map(\.images)).count == 3)
    // The default design equals the static font's.
    let plain = try FontRenderer().render(paths: [FontFixtures.path("Holes.ttf")])
    #expect(result.faces[0].images == plain.faces[0].images)
  }

  @Test func sameDesignInTwoFilesIsKeptOnceAndCountedAsDuplicate() throws {
    let folder = try FontFixtures.folder(with: [
      ("Holes.ttf", "Holes.ttf"), ("Holes.ttf", "Holes-copy.ttf"),
    ])
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try FontRenderer().render(paths: [folder.path])
    #expect(result.faces.map(\.name) == ["Holes-copy.ttf"])
    #expect(result.summary.skipped == [.duplicateFace: 1])
  }

  @Test func scansFoldersCountsNonFontsAndListsLinkedFilesOnce() throws {
    let folder = try FontFixtures.folder(with: [("Holes.ttf", "a.ttf"), ("OnlyA.ttf", "sub-b.ttf")])
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data("not a font".utf8).write(to: folder.appendingPathComponent("fonts.dir"))
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("link.ttf").path,
      withDestinationPath: folder.appendingPathComponent("a.ttf").path)

    let files = FontRenderer.files(under: [folder.path])
    #expect(
      files.map { URL(fileURLWithPath: $0).lastPathComponent } == [
        "a.ttf", "fonts.dir", "sub-b.ttf",
      ])

    let result = try FontRenderer().render(paths: [folder.path])
    #expect(result.summary.filesScanned == 3)
    #expect(result.summary.filesNotFonts == 1)
    #expect(result.summary.facesFound == 2)
    #expect(result.summary.facesRendered == 1)
    #expect(result.summary.skipped == [.missingLetter: 1])
  }

  @Test func someLettersGiveTheSameImagesAsTheFullSet() throws {
    let path = FontFixtures.path("Holes.ttf")
    let all = try FontRenderer().render(paths: [path])
    let some = try FontRenderer(letters: ["C", "A"]).render(paths: [path])
    #expect(some.letters == ["C", "A"])
    #expect(some.faces[0].images == [all.faces[0].images[2], all.faces[0].images[0]])
  }

  @Test func sizeSetsTheImageSide() throws {
    let result = try FontRenderer(size: 16).render(paths: [FontFixtures.path("Holes.ttf")])
    #expect(result.faces[0].images.allSatisfy { $0.count == 256 })
  }

  @Test func missingPathsAreAnError() throws {
    #expect(throws: RenderError.noFontDirectories(["/nonexistent/fonts"])) {
      try FontRenderer().render(paths: ["/nonexistent/fonts"])
    }
  }

  @Test func sameFileNameInTwoFoldersGetsADistinctName() {
    var used = Set<String>()
    let first = FontRenderer.uniqueName(for: "/a/X.ttf", faceIndex: 0, faceCount: 1, used: &used)
    let second = FontRenderer.uniqueName(for: "/b/X.ttf", faceIndex: 0, faceCount: 1, used: &used)
    let third = FontRenderer.uniqueName(for: "/c/X.ttf", faceIndex: 0, faceCount: 1, used: &used)
    let styled = FontRenderer.uniqueName(
      for: "/a/V.ttc", faceIndex: 1, faceCount: 2, instance: 3, used: &used)
    #expect([first, second, third, styled] == ["X.ttf", "X.ttf~2", "X.ttf~3", "V.ttc#1@3"])
  }

  @Test func progressIsReportedOncePerFile() throws {
    var reports: [FontRenderProgress] = []
    _ = try FontRenderer().render(paths: [FontFixtures.path("Holes.ttc")]) { reports.append($0) }
    #expect(reports.map(\.filesDone) == [1])
    #expect(reports.last?.facesRendered == 2)
  }

  @Test func defaultDirectoriesIncludeTheSystemAndUserFolders() {
    #expect(
      FontRenderer.defaultFontDirectories(home: "/home/u") == [
        "/usr/share/fonts", "/usr/local/share/fonts", "/home/u/.fonts",
        "/home/u/.local/share/fonts",
      ])
  }

  @Test func skipReasonsPrintInWords() {
    #expect(FontSkipReason.sameImageForLetters.description == "same image for different letters")
    #expect(FontSkipReason.allCases.sorted() == FontSkipReason.allCases)
  }
}
