#!/usr/bin/env python3
"""Builds assets/fonts/SlipMonoSC.otf, the font every PDF slip is set in.

Source: Noto Sans Mono CJK SC (SIL Open Font License 1.1) from Debian's
fonts-noto-cjk package. The monospaced face is chosen on purpose: a thermal slip is a
grid of half-width (Latin) and full-width (Han) cells, and the PDF keeps that grid so
the reprint lines up the way the terminal's paper did.

The whole face is 16 MB with Japanese and Korean; slips need Chinese. This keeps
printable ASCII, Latin-1 (for ISO-8859 receipts), general punctuation, CJK symbols,
full-width forms, every character of GBK (GB 18030's two-byte part), every CJK
Unified Ideograph of the BMP and of Extension A the face has (GB 18030's BMP Han
characters: shop names, addresses and people's names use 喆, 堃, 犇 … beyond GB 2312),
and the supplementary-plane ideographs it has (the common ones, 𠮷 and the like).
printpdf then subsets again per document, so a PDF carries only the glyphs it shows.

Reproducible: same Debian package + same fontTools -> same bytes.
    apt-get install fonts-noto-cjk && pip install 'fonttools==4.*'
    python3 scripts/make-font.py
"""
import hashlib
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = "Noto Sans Mono CJK SC"
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "fonts" / "SlipMonoSC.otf"


def charset():
    cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    cps |= set(range(0x2000, 0x2070))  # general punctuation
    cps |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    cps |= set(range(0xFF00, 0xFFF0))  # full-width forms
    cps |= {0x00D7, 0x00F7, 0x2190, 0x2192, 0x2191, 0x2193, 0x25A0, 0x25A1, 0x2605, 0x2606, 0x20AC, 0x00A5}
    # GBK (GB 18030's two-byte part): lead 0x81-0xFE, trail 0x40-0xFE but 0x7F;
    # decoding each code picks out exactly the characters the standard defines.
    for hi in range(0x81, 0xFF):
        for lo in [*range(0x40, 0x7F), *range(0x80, 0xFF)]:
            try:
                ch = bytes([hi, lo]).decode("gbk")
            except UnicodeDecodeError:
                continue
            cps.add(ord(ch))
    cps |= set(range(0x3400, 0x4DC0))  # CJK Extension A
    cps |= set(range(0x4E00, 0xA000))  # CJK Unified Ideographs
    cps |= set(range(0xF900, 0xFB00))  # CJK Compatibility Ideographs
    cps |= set(range(0x20000, 0x32000))  # Extensions B to H: what the face has
    return sorted(cps)


def main():
    collection = TTCollection(SOURCE)
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == FACE)
    options = subset.Options()
    options.layout_features = []  # a slip needs no shaping features
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=charset())
    subsetter.subset(font)
    font.recalcTimestamp = False  # keep the source's head.modified: same input, same bytes
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size} bytes, {font['maxp'].numGlyphs} glyphs, sha256 {digest}")


if __name__ == "__main__":
    sys.exit(main())
