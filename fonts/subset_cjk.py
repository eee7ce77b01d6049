#!/usr/bin/env python3
"""Rebuilds the committed Japanese font subsets (maintenance tool; the build never runs it).

Needs Debian's fonts-noto-cjk and `pip install fonttools`. Keeps Latin, punctuation, symbols, kana,
fullwidth forms, every kanji of JIS X 0208, JIS X 0213 and Windows-31J (cp932), and Korean (all 11,172
Hangul syllables, Hangul Jamo and compatibility Jamo): ~27,000 characters instead of the full 65,535
glyphs, so both weights fit the repository's 40 MB budget for fonts/. Face 0 (JP) of Noto Sans CJK
draws Hangul with the same outlines as the KR face.
Outlines, metrics and layout tables are unchanged; hinting is dropped (PDF viewers do not need it).
"""
import os
import pathlib
from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = os.environ.get("NOTO_CJK_DIR", "/usr/share/fonts/opentype/noto") + "/NotoSansCJK-{weight}.ttc"  # face 0 is Japanese

def repertoire():
    chars = set(range(0x20, 0x250))
    ranges = [(0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF),
              (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x3000, 0x303F),
              (0x3040, 0x309F), (0x30A0, 0x30FF), (0x31F0, 0x31FF), (0x3200, 0x32FF), (0x3300, 0x33FF),
              (0xFF00, 0xFFEF),
              # Korean: Hangul Jamo, compatibility Jamo, syllables, Jamo extended A/B.
              (0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7A3), (0xD7B0, 0xD7FF)]
    for first, last in ranges:
        chars.update(range(first, last + 1))
    for cp in [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00)]:
        for encoding in ("euc_jis_2004", "cp932"):
            try:
                chr(cp).encode(encoding)
                chars.add(cp)
                break
            except UnicodeEncodeError:
                pass
    return chars

def main():
    chars = repertoire()
    for weight in ("Regular", "Bold"):
        font = TTCollection(SOURCE.format(weight=weight)).fonts[0]
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=chars)
        subsetter.subset(font)
        out = HERE / f"NotoSansCJKjp-{weight}.subset.otf"
        font.save(out)
        print(out, len(chars), "characters")

if __name__ == "__main__":
    main()
