"""Convert an OpenType/CFF font to TrueType outlines (cubic -> quadratic curves).

    python3 fonts/otf2ttf.py INPUT.otf OUTPUT.ttf

Every glyph keeps its id, advance and layout tables; only the outlines change: each cubic
Bezier becomes quadratic splines within 1 font unit (of 1000 per em) of the original
(fontTools.cu2qu), contours are reversed to TrueType's clockwise direction, no hinting is added.
Glyph names are dropped (post format 3), as in most CJK TrueType fonts: nothing reads them.
Made with fontTools 4.68.0 (see make-subsets.sh); follows fontTools' Snippets/otf2ttf.py.
"""

import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAX_ERROR = 1.0  # font units


def quadratic_glyphs(glyph_set):
    """Every glyph of `glyph_set` redrawn with quadratic curves."""
    glyphs = {}
    for name in glyph_set.keys():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    return glyphs


def convert(font):
    """Replaces the CFF table of `font` by glyf/loca and updates what depends on it."""
    assert font.sfntVersion == "OTTO" and "CFF " in font, "not a CFF-flavoured OpenType font"
    order = font.getGlyphOrder()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quadratic_glyphs(font.getGlyphSet())
    del font["CFF "]
    if "VORG" in font:  # CFF-only table
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():  # TrueType: left side bearing = xMin
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\000\001\000\000"


def main(source, target):
    font = TTFont(source, recalcTimestamp=False)
    convert(font)
    font.save(target)


if __name__ == "__main__":
    main(*sys.argv[1:])
