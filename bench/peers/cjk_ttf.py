#!/usr/bin/env python3
"""Converts the repository's Noto Sans CJK JP subsets (CFF outlines) to TrueType outlines, once,
before any timing: ReportLab embeds TrueType fonts only. fontTools' otf2ttf recipe (cubic → quadratic
curves with cu2qu); the glyphs, metrics and cmap are unchanged.

Usage: cjk_ttf.py OUT_DIR   (writes NotoSansCJKjp-Regular.ttf and NotoSansCJKjp-Bold.ttf)
"""
import os
import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

HERE = os.path.dirname(os.path.abspath(__file__))
FONTS = os.path.join(HERE, "..", "..", "fonts")


def convert(src, dst):
    font = TTFont(src)
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(dst)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for style in ("Regular", "Bold"):
        dst = os.path.join(out, f"NotoSansCJKjp-{style}.ttf")
        if not os.path.exists(dst):
            convert(os.path.join(FONTS, f"NotoSansCJKjp-{style}.subset.otf"), dst + ".tmp")
            os.replace(dst + ".tmp", dst)


if __name__ == "__main__":
    main()
