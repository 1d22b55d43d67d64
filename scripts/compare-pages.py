"""Compare the pages of two sets of PDFs rendered at 200 dpi, pixel by pixel.

    python3 scripts/compare-pages.py BEFORE_DIR AFTER_DIR

Every PDF under BEFORE_DIR is matched with the file of the same relative path under AFTER_DIR;
each page is rendered to grey with poppler's pdftoppm. A pixel that differs by more than
ANTI_ALIASING grey levels (of 255) is a real difference: a glyph moved, changed or vanished.
Exits 1 when there is one, or when the files or page counts differ.
"""

import os
import subprocess
import sys
import tempfile

DPI = 200
ANTI_ALIASING = 64


def pages(pdf, scratch):
    """The pages of `pdf` as (width, height, grey bytes)."""
    prefix = os.path.join(scratch, "page")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", pdf, prefix], check=True)
    found = []
    for name in sorted(os.listdir(scratch)):
        with open(os.path.join(scratch, name), "rb") as f:
            data = f.read()
        os.remove(os.path.join(scratch, name))
        magic, width, height, maxval, pixels = data.split(maxsplit=4)
        assert magic == b"P5" and maxval == b"255", name
        found.append((int(width), int(height), pixels))
    return found


def compare(before, after):
    """(pages, pages with any change, real differences, largest grey difference) of two PDFs."""
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        old, new = pages(before, a), pages(after, b)
    if len(old) != len(new):
        return len(old), len(old), 1, 255
    changed = real = largest = 0
    for (w1, h1, p1), (w2, h2, p2) in zip(old, new):
        if (w1, h1) != (w2, h2):
            changed, real, largest = changed + 1, real + 1, 255
            continue
        if p1 == p2:
            continue
        changed += 1
        diffs = [abs(x - y) for x, y in zip(p1, p2) if x != y]
        largest = max(largest, max(diffs))
        real += sum(d > ANTI_ALIASING for d in diffs)
    return len(old), changed, real, largest


def main(before_dir, after_dir):
    total_pages = total_real = 0
    ok = True
    for root, _, files in os.walk(before_dir):
        for name in sorted(f for f in files if f.endswith(".pdf")):
            before = os.path.join(root, name)
            relative = os.path.relpath(before, before_dir)
            after = os.path.join(after_dir, relative)
            if not os.path.exists(after):
                print("missing: %s" % relative)
                ok = False
                continue
            n, changed, real, largest = compare(before, after)
            total_pages += n
            total_real += real
            print("%s: %d pages, %d with anti-aliasing changes, largest grey difference %d, "
                  "%d pixels beyond anti-aliasing" % (relative, n, changed, largest, real))
            ok = ok and real == 0
    print("total: %d pages, %d pixels beyond anti-aliasing" % (total_pages, total_real))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main(*sys.argv[1:])
