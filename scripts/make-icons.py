#!/usr/bin/env python3
"""Draws Slipkeeper's app icon (a sales slip on a teal tile) as RGBA PNGs.

Pure standard library so it runs anywhere: `python3 scripts/make-icons.py`.
Output: assets/icons/{32x32,128x128,icon}.png (icon.png is 512x512).
"""
import os
import struct
import zlib

TEAL = (0, 121, 107, 255)
PAPER = (250, 250, 245, 255)
INK = (40, 55, 71, 255)
RED = (198, 40, 40, 255)
CLEAR = (0, 0, 0, 0)


def pixel(x, y):
    """Colour at (x, y) in a unit square."""
    # Rounded tile.
    r = 0.18
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    # The slip, with a zig-zag torn bottom edge.
    left, right, top, bottom = 0.28, 0.72, 0.14, 0.86
    tooth = 0.04
    edge = bottom - tooth * (1 - abs(((x - left) / tooth) % 2 - 1))
    if left <= x <= right and top <= y <= edge:
        # Printed lines, and a red 重打印 stamp bar.
        for i, ly in enumerate((0.24, 0.32, 0.40, 0.48, 0.56)):
            if abs(y - ly) < 0.018 and x < right - 0.06 - (0.08 if i % 2 else 0):
                return INK if x > left + 0.05 else PAPER
        if 0.64 < y < 0.74 and left + 0.05 < x < right - 0.05:
            return RED
        return PAPER
    return TEAL


def png(size, path):
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            # 4x4 supersampling for smooth edges.
            acc = [0, 0, 0, 0]
            for sj in range(4):
                for si in range(4):
                    c = pixel((i + (si + 0.5) / 4) / size, (j + (sj + 0.5) / 4) / size)
                    for k in range(4):
                        acc[k] += c[k]
            row.extend(v // 16 for v in acc)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(__file__), "..", "assets", "icons")
    os.makedirs(out, exist_ok=True)
    for size, name in ((32, "32x32.png"), (128, "128x128.png"), (512, "icon.png")):
        png(size, os.path.join(out, name))
