"""Builds the tiny TrueType fixtures used by the font rendering tests.

Run from this folder with fontTools installed (pip install fonttools):
    python make_fonts.py
Every glyph is made of squares on a 1000-unit em, so the files stay a few hundred bytes.
"""
import os

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables.TupleVariation import TupleVariation
from fontTools.ttLib.ttCollection import TTCollection

LETTERS = "ABCDEFGHIJ"


def square(pen, x0, y0, x1, y1, clockwise=True):
    points = [(x0, y0), (x0, y1), (x1, y1), (x1, y0)]
    if not clockwise:
        points.reverse()
    pen.moveTo(points[0])
    for point in points[1:]:
        pen.lineTo(point)
    pen.closePath()


def holed(index, hole=200):
    """A 700x700 square with a square hole whose place depends on `index` (0...9)."""
    pen = TTGlyphPen(None)
    square(pen, 0, 0, 700, 700)
    x = 50 + (index % 4) * 130
    y = 50 + (index // 4) * 170
    square(pen, x, y, x + hole, y + hole, clockwise=False)
    return pen.glyph()


def empty():
    return TTGlyphPen(None).glyph()


def build(path, family, glyphs, cmap, variable=False):
    builder = FontBuilder(1000, isTTF=True)
    order = [".notdef"] + [name for name in glyphs if name != ".notdef"]
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(cmap)
    all_glyphs = {".notdef": empty(), **glyphs}
    builder.setupGlyf(all_glyphs)
    builder.setupHorizontalMetrics({name: (800, 0) for name in order})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    if variable:
        add_weight_axis(builder, glyphs)
    builder.save(path)


def add_weight_axis(builder, glyphs):
    """A weight axis whose two named instances shift every hole by 30 units down or up."""
    builder.setupFvar(
        axes=[("wght", 100, 400, 900, "Weight")],
        instances=[
            dict(location=dict(wght=100), stylename="Light"),
            dict(location=dict(wght=900), stylename="Bold"),
        ],
    )
    variations = {}
    for name in glyphs:
        # Four outer points stay; four hole points move; four phantom points stay.
        def deltas(shift):
            return [(0, 0)] * 4 + [(shift, shift)] * 4 + [(0, 0)] * 4

        variations[name] = [
            TupleVariation({"wght": (-1.0, -1.0, 0.0)}, deltas(-30)),
            TupleVariation({"wght": (0.0, 1.0, 1.0)}, deltas(30)),
        ]
    builder.setupGvar(variations)


def main():
    letters = {letter: holed(i) for i, letter in enumerate(LETTERS)}
    build("Holes.ttf", "Holes", letters, {ord(l): l for l in LETTERS})

    wide = {letter: holed(i, hole=300) for i, letter in enumerate(LETTERS)}
    build("HolesWide.ttf", "Holes Wide", wide, {ord(l): l for l in LETTERS})
    collection = TTCollection()
    collection.fonts = [TTFont("Holes.ttf"), TTFont("HolesWide.ttf")]
    collection.save("Holes.ttc")
    os.remove("HolesWide.ttf")

    build("HolesVariable.ttf", "Holes Variable", letters, {ord(l): l for l in LETTERS}, True)
    build("OnlyA.ttf", "Only A", {"A": holed(0)}, {ord("A"): "A"})
    build("SameBox.ttf", "Same Box", {"box": holed(3)}, {ord(l): "box" for l in LETTERS})
    blank = dict(letters)
    blank["B"] = empty()
    build("BlankB.ttf", "Blank B", blank, {ord(l): l for l in LETTERS})


if __name__ == "__main__":
    main()
