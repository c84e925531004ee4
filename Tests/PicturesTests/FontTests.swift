import Foundation
import Testing

@testable import Pictures

@Suite struct FontTests {
  @Test func missingFontIsATypedErrorListingWhereItLooked() throws {
    let directory = try TemporaryDirectory()
    let candidates = [directory.file("NoSuchFont.ttf").path]
    let searched = [directory.url.path, directory.file("absent").path]

    #expect(throws: PicturesError.fontNotFound(searched: candidates + searched)) {
      try FontLocator.locate(candidates: candidates, searchDirectories: searched)
    }
  }

  @Test func missingFontMessageGivesAHint() {
    let error = PicturesError.fontNotFound(searched: ["/a.ttf", "/fonts"])
    #expect(
      error.description
        == "no TrueType font found (looked for DejaVuSans.ttf, then any .ttf) in: /a.ttf, /fonts"
        + "\nhint: install a font package, e.g. `apt-get install fonts-dejavu-core`")
  }

  @Test func firstExistingCandidateWins() throws {
    let directory = try TemporaryDirectory()
    let present = directory.file("Present.ttf")
    try Data().write(to: present)

    let found = try FontLocator.locate(
      candidates: [directory.file("Absent.ttf").path, present.path], searchDirectories: [])
    #expect(found == present.path)
  }

  @Test func scanPrefersDejaVuSansThenAnySansFont() throws {
    let directory = try TemporaryDirectory()
    let files = FileManager.default
    for folder in ["a", "b", "c"] {
      try files.createDirectory(at: directory.file(folder), withIntermediateDirectories: true)
    }
    try Data().write(to: directory.file("a/Aardvark.ttf"))
    try Data().write(to: directory.file("b/LiberationSans-Regular.ttf"))
    try Data().write(to: directory.file("b/LiberationSansMono.ttf"))
    try Data().write(to: directory.file("c/DejaVuSans.ttf"))

    let dejaVu = try FontLocator.locate(candidates: [], searchDirectories: [directory.url.path])
    #expect(dejaVu == directory.file("c/DejaVuSans.ttf").path)

    try files.removeItem(at: directory.file("c/DejaVuSans.ttf"))
    let sans = try FontLocator.locate(candidates: [], searchDirectories: [directory.url.path])
    #expect(sans == directory.file("b/LiberationSans-Regular.ttf").path)
  }

  @Test func standardFontIsFoundOnThisSystem() throws {
    let font = try standardFont()
    #expect(font.path.hasSuffix(".ttf"))
  }

  @Test func fileThatIsNotAFontIsRejectedByFreeType() throws {
    let directory = try TemporaryDirectory()
    let fake = directory.file("fake.ttf")
    try Data("not a font".utf8).write(to: fake)

    // FreeType error 2 is FT_Err_Unknown_File_Format; 1 is FT_Err_Cannot_Open_Resource.
    #expect(
      throws: PicturesError.fontUnreadable(path: fake.path, operation: "FT_New_Face", code: 2)
    ) { try Font(path: fake.path) }
    #expect(
      throws: PicturesError.fontUnreadable(
        path: directory.file("none.ttf").path, operation: "FT_New_Face", code: 1)
    ) { try Font(path: directory.file("none.ttf").path) }
  }

  @Test func widerTextAndLargerSizesMeasureWider() throws {
    let font = try standardFont()
    let small = font.measure("Accuracy", size: 12)
    let large = font.measure("Accuracy", size: 24)

    #expect(font.measure("", size: 12).width == 0)
    #expect(font.measure("A", size: 12).width < small.width)
    #expect(large.width > small.width * 3 / 2)
    #expect(small.ascent > 0 && small.descent > 0)
    #expect(large.height > small.height)
    // DejaVu Sans at 14 px: ascender 928/2048 and descender 236/2048 of the em, rounded up.
    #expect(font.measure("x", size: 14).height >= 16)
  }
}
