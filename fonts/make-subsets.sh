#!/usr/bin/env bash
# Rebuild the bundled fonts in this folder from Debian packages, as TrueType.
#
#   bash fonts/make-subsets.sh            # uses the pinned package versions below
#   PIN=0 bash fonts/make-subsets.sh      # uses whatever version apt offers
#
# Needs: apt-get (with package lists; run `apt-get update` once first),
# dpkg-deb, python3 with fontTools 4.68.0 (installed if missing with
# `python3 -m pip install fonttools==4.68.0`).
# Every font is converted from CFF to TrueType outlines by otf2ttf.py
# (cubic -> quadratic, max error 1 font unit): the PDF export subsets
# TrueType glyphs by copying them, CFF ones by decompiling charstrings.
# Writes only into the folder this script lives in; scratch files go to
# $WORK (default: a fresh directory under /tmp, kept for inspection).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${WORK:-$(mktemp -d /tmp/fonts-build.XXXXXX)}
PIN=${PIN:-1}
FONTTOOLS_VERSION=4.68.0

# Versions the shipped files were made from (Debian 12 "bookworm").
TL_PKG=texlive-lang-chinese   TL_VER=2022.20230122-1
NOTO_PKG=fonts-noto-cjk       NOTO_VER=1:20220127+repack1-1
# In bookworm fonts-noto-cjk holds both NotoSerifCJK-Regular.ttc and
# NotoSerifCJK-Bold.ttc; fonts-noto-cjk-extra only has the other weights
# (ExtraLight, Light, Medium, SemiBold, Black). It is fetched below only if
# the Bold TTC is missing from fonts-noto-cjk (other Debian releases).
NOTO_EXTRA_PKG=fonts-noto-cjk-extra NOTO_EXTRA_VER=1:20220127+repack1-1

echo "work directory: $WORK"
mkdir -p "$WORK/debs" "$WORK/root"

pkgspec() { # name version -> name=version, or name alone when PIN=0
  if [ "$PIN" = 1 ]; then echo "$1=$2"; else echo "$1"; fi
}

download() { # pkgspec...
  (cd "$WORK/debs" && apt-get download "$@")
}

unpack() { # deb -> prints "Package Version"
  dpkg-deb -x "$1" "$WORK/root"
  echo "$(dpkg-deb -f "$1" Package) $(dpkg-deb -f "$1" Version)"
}

# ---------------------------------------------------------------- python ---
PY=${PYTHON:-python3}
if ! "$PY" -c 'import fontTools' 2>/dev/null; then
  "$PY" -m pip install --quiet "fonttools==$FONTTOOLS_VERSION"   # python3 -m pip install fonttools==4.68.0
fi
FT_HAVE=$("$PY" -c 'import fontTools; print(fontTools.version)')
if [ "$FT_HAVE" != "$FONTTOOLS_VERSION" ]; then
  echo "note: fontTools $FT_HAVE (shipped files were made with $FONTTOOLS_VERSION);" \
       "the subsets may differ byte-wise" >&2
fi

# -------------------------------------------------------------- download ---
download "$(pkgspec "$TL_PKG" "$TL_VER")" "$(pkgspec "$NOTO_PKG" "$NOTO_VER")"
TL_DEB=$(ls "$WORK"/debs/${TL_PKG}_*.deb)
NOTO_DEB=$(ls "$WORK"/debs/${NOTO_PKG}_*.deb)
echo "unpacked: $(unpack "$TL_DEB")"
echo "unpacked: $(unpack "$NOTO_DEB")"

NOTO_DIR=$WORK/root/usr/share/fonts/opentype/noto
SERIF_REGULAR=$NOTO_DIR/NotoSerifCJK-Regular.ttc
SERIF_BOLD=$NOTO_DIR/NotoSerifCJK-Bold.ttc
if [ ! -f "$SERIF_BOLD" ]; then
  download "$(pkgspec "$NOTO_EXTRA_PKG" "$NOTO_EXTRA_VER")"
  echo "unpacked: $(unpack "$(ls "$WORK"/debs/${NOTO_EXTRA_PKG}_*.deb)")"
fi
test -f "$SERIF_REGULAR" && test -f "$SERIF_BOLD"

# ---------------------------------------------------------------- Fandol ---
FANDOL_SRC=$WORK/root/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
FANDOL_DOC=$WORK/root/usr/share/doc/texlive-doc/fonts/fandol
mkdir -p "$HERE/fandol"
rm -f "$HERE"/fandol/*.otf "$HERE"/noto/*.otf     # the CFF files of earlier versions
for f in FandolFang-Regular FandolHei-Regular FandolHei-Bold \
         FandolKai-Regular FandolSong-Regular FandolSong-Bold; do
  echo "converting $f.otf -> $f.ttf"
  "$PY" "$HERE/otf2ttf.py" "$FANDOL_SRC/$f.otf" "$HERE/fandol/$f.ttf.tmp"
  mv "$HERE/fandol/$f.ttf.tmp" "$HERE/fandol/$f.ttf"
done
# GPL-3 with the font exception (last paragraph of the file).
gzip -dc "$FANDOL_DOC/COPYING.gz" > "$HERE/fandol/LICENSE"
cp "$FANDOL_DOC/README" "$HERE/fandol/README.fandol"

# ------------------------------------------------------------------ Noto ---
mkdir -p "$HERE/noto"
NOTO_COPYRIGHT=$WORK/root/usr/share/doc/$NOTO_PKG/copyright

# Unicode list: every character of GBK (two-byte codes 81-FE / 40-FE
# without 7F, as Python's gbk codec decodes them) + ASCII + extra blocks.
UNICODES=$WORK/unicodes.txt
"$PY" - "$UNICODES" <<'EOF'
import sys
cps = set(range(0x20, 0x7F))                       # ASCII
for lead in range(0x81, 0xFF):
    for trail in range(0x40, 0xFF):
        if trail == 0x7F:
            continue
        try:
            cps.update(map(ord, bytes([lead, trail]).decode("gbk")))
        except UnicodeDecodeError:
            pass
for lo, hi in [
    (0x00A0, 0x00FF),  # Latin-1 supplement
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x214F),  # letterlike symbols
    (0x2190, 0x22FF),  # arrows, mathematical operators
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes
    (0x3000, 0x303F),  # CJK symbols and punctuation (〔 〕 、)
    (0x3200, 0x32FF),  # enclosed CJK letters and months
    (0x3300, 0x33FF),  # CJK compatibility (㎡)
    (0xFF00, 0xFFEF),  # half-/full-width forms (： ；)
]:
    cps.update(range(lo, hi + 1))
with open(sys.argv[1], "w") as out:
    out.write("".join("%04X\n" % c for c in sorted(cps)))
print("unicode list: %d code points" % len(cps))
EOF

sc_index() { # ttc -> index of the face whose family (nameID 1) is "Noto Serif CJK SC"
  "$PY" - "$1" <<'EOF'
import sys
from fontTools.ttLib import TTCollection
faces = TTCollection(sys.argv[1], lazy=True).fonts
hits = [i for i, f in enumerate(faces) if f["name"].getDebugName(1) == "Noto Serif CJK SC"]
assert len(hits) == 1, hits
print(hits[0])
EOF
}

LAYOUT_FEATURES=calt,ccmp,dlig,fwid,hist,hwid,liga,ljmo,pwid,ruby,tjmo,vert,vjmo,vrt2,halt,kern,mark,palt,vhal,vkrn,vpal

subset() { # ttc output.ttf (subset to $WORK, then converted to TrueType)
  local idx otf
  idx=$(sc_index "$1")
  otf=$WORK/$(basename "$2" .ttf).otf
  echo "subsetting $(basename "$1") face #$idx -> $(basename "$otf")"
  # Glyph-id trap: every OpenType feature of the font except locl and aalt
  # is kept, listed explicitly. With locl/aalt (e.g. --layout-features='*')
  # the closure pulls in the JP/KR/TC variants, ~40,900 glyphs, and Typst
  # cannot use glyph ids >= 32768 of such a font (tofu). Note that
  # "--layout-features='*' --layout-features-='locl,aalt'" does NOT work:
  # fontTools cannot subtract from '*', the result still has ~40,900 glyphs.
  pyftsubset "$1" --font-number="$idx" \
    --unicodes-file="$UNICODES" \
    --layout-features="$LAYOUT_FEATURES" \
    --name-IDs='*' --name-languages='*' --name-legacy \
    --notdef-outline \
    --output-file="$otf"
  echo "converting $(basename "$otf") -> $(basename "$2")"
  "$PY" "$HERE/otf2ttf.py" "$otf" "$2.tmp"
  mv "$2.tmp" "$2"
}

subset "$SERIF_REGULAR" "$HERE/noto/NotoSerifCJKsc-Regular-GBK.ttf"
subset "$SERIF_BOLD"    "$HERE/noto/NotoSerifCJKsc-Bold-GBK.ttf"

# OFL-1.1: the copyright notice from the fonts' name table + the licence
# text from the Debian copyright file (its "License: SIL-1.1" stanza).
{
  echo "Noto Serif CJK SC (NotoSerifCJKsc-Regular-GBK.ttf, NotoSerifCJKsc-Bold-GBK.ttf)"
  echo "are subsets of the Noto Serif CJK fonts as shipped by Debian package"
  echo "$(dpkg-deb -f "$NOTO_DEB" Package) $(dpkg-deb -f "$NOTO_DEB" Version), converted to TrueType"
  echo "outlines; see make-subsets.sh."
  echo
  echo "Copyright notice and licence statement of the fonts (name table, nameIDs 0 and 13):"
  "$PY" -c 'import sys; from fontTools.ttLib import TTFont; n = TTFont(sys.argv[1])["name"]; print(n.getDebugName(0)); print(n.getDebugName(13))' \
    "$HERE/noto/NotoSerifCJKsc-Regular-GBK.ttf"
  echo
  echo "Debian's copyright file for $NOTO_PKG: \"Files: *  Copyright: $(awk '/^Files: \*$/{f=1} f&&/^Copyright:/{sub(/^Copyright: */,"");print;exit}' "$NOTO_COPYRIGHT")  License: SIL-1.1\""
  echo
  echo "The licence text, as given in that file:"
  echo
  # (the stand-alone stanza, not the one-line reference in "Files: *")
  awk '/^License: SIL-1.1$/{f=1; next} f&&!/^ /{if(n)exit; f=0} f{sub(/^ /,""); if($0==".") $0=""; print; n++}' "$NOTO_COPYRIGHT"
} > "$HERE/noto/LICENSE"

# ---------------------------------------------------------------- verify ---
# All fonts: TrueType outlines (glyf, no CFF).
# Subsets: < 32768 glyphs, every mapped glyph id < 32768, family name kept,
# every GBK character that the source face has is mapped. All fonts: which
# of a few characters common in official documents they map.
"$PY" - "$HERE" "$SERIF_REGULAR" "$SERIF_BOLD" <<'EOF'
import sys, os
from fontTools.ttLib import TTFont, TTCollection
here, sources = sys.argv[1], {"Regular": sys.argv[2], "Bold": sys.argv[3]}
gbk = set()
for lead in range(0x81, 0xFF):
    for trail in range(0x40, 0xFF):
        if trail != 0x7F:
            try:
                gbk.update(map(ord, bytes([lead, trail]).decode("gbk")))
            except UnicodeDecodeError:
                pass
probe = "浉瀍㎡①②〔〕：；“”《》—、"
ok = True
for sub in ("fandol", "noto"):
    for fn in sorted(os.listdir(os.path.join(here, sub))):
        if not fn.endswith(".ttf"):
            continue
        f = TTFont(os.path.join(here, sub, fn))
        if "glyf" not in f or "CFF " in f:
            print("%s/%s: not TrueType outlines" % (sub, fn))
            ok = False
        cmap, order = f.getBestCmap(), f.getGlyphOrder()
        gid = {g: i for i, g in enumerate(order)}
        name = f["name"]
        print("%s/%s: %d glyphs, nameID1=%r nameID2=%r nameID16=%r nameID4=%r"
              % (sub, fn, len(order), name.getDebugName(1), name.getDebugName(2),
                 name.getDebugName(16), name.getDebugName(4)))
        print("   has: %s   missing: %s" % ("".join(c for c in probe if ord(c) in cmap),
                                            "".join(c for c in probe if ord(c) not in cmap) or "-"))
        print("   GBK characters mapped: %d of %d" % (len(gbk & set(cmap)), len(gbk)))
        if sub != "noto":
            continue
        src = [t for t in TTCollection(sources["Bold" if "Bold" in fn else "Regular"], lazy=True).fonts
               if t["name"].getDebugName(1) == "Noto Serif CJK SC"][0].getBestCmap()
        big = max(gid[g] for g in cmap.values())
        lost = sorted((gbk & set(src)) - set(cmap))
        absent = sorted(gbk - set(src))
        print("   max mapped glyph id %d; GBK characters lost by subsetting: %d; "
              "GBK characters absent from the source face too: %s"
              % (big, len(lost), " ".join("U+%04X %s" % (c, chr(c)) for c in absent) or "none"))
        if len(order) >= 32768 or big >= 32768 or lost or name.getDebugName(1) != "Noto Serif CJK SC":
            print("   FAILED", [hex(c) for c in lost[:20]])
            ok = False
sys.exit(0 if ok else 1)
EOF
echo "done"
