import Testing

@testable import Pictures

@Suite struct ColorMapTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var map: ColorMap
    var value: Double
    var expected: UInt32
    var testDescription: String { "\(value) -> #\(String(expected, radix: 16))" }
  }

  @Test(arguments: [
    Case(map: .grays, value: 0, expected: 0x000000),
    Case(map: .grays, value: 1, expected: 0xFFFFFF),
    Case(map: .grays, value: 0.5, expected: 0x808080),
    Case(map: .grays, value: -3, expected: 0x000000),
    Case(map: .grays, value: 7, expected: 0xFFFFFF),
    Case(map: .grays, value: .nan, expected: 0x000000),
    Case(map: .inverseGrays, value: 0.25, expected: 0xBFBFBF),
    Case(map: .blues, value: 0, expected: 0xF7FBFF),
    Case(map: .blues, value: 1, expected: 0x08306B),
    Case(map: .blues, value: 0.5, expected: 0x6BAED6),
    // Halfway between stops 0x08519C (7/8) and 0x08306B (8/8).
    Case(map: .blues, value: 15.0 / 16, expected: 0x084184),
    Case(map: .viridis, value: 0, expected: 0x440154),
    Case(map: .viridis, value: 1, expected: 0xFDE725),
  ])
  func colourAtValue(_ test: Case) {
    #expect(test.map.color(at: test.value) == RGBColor(hex: test.expected))
  }

  @Test func lookupTableHasOneColourPerByte() {
    let table = ColorMap.grays.lookupTable
    #expect(table.count == 256)
    #expect(table[0] == .black)
    #expect(table[100] == RGBColor(red: 100, green: 100, blue: 100))
    #expect(table[255] == .white)
  }

  @Test func textOnDarkCellsIsWhiteAndOnLightCellsBlack() {
    #expect(ColorMap.blues.color(at: 1).contrastingText == .white)
    #expect(ColorMap.blues.color(at: 0).contrastingText == .black)
    #expect(RGBColor(hex: 0x777777).contrastingText == .black)
    #expect(RGBColor(hex: 0x707070).contrastingText == .white)
  }

  @Test func luminanceFollowsRec709() {
    #expect(abs(RGBColor.white.luminance - 1) < 1e-12)
    #expect(RGBColor.black.luminance == 0)
    #expect(abs(RGBColor(hex: 0x00FF00).luminance - 0.7152) < 1e-12)
  }

  @Test func colourDescriptionIsHex() {
    #expect(RGBColor(hex: 0x0A0BFF).description == "#0A0BFF")
  }
}
