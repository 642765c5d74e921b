#!/usr/bin/env python3
"""Draws the Teams app icons in infra/teams/ (standard library only, so anyone can re-run it).

color.png   192x192, full colour: a white speech bubble with three lines of text on the accent colour.
outline.png  32x32, white on transparent: the same bubble as an outline, as Teams requires.
"""
import math
import struct
import sys
import zlib
from pathlib import Path

ACCENT = (0x2B, 0x5B, 0xD7)
WHITE = (0xFF, 0xFF, 0xFF)
SUPERSAMPLE = 4


def rounded_rect_distance(x, y, cx, cy, half_w, half_h, radius):
    """Signed distance from (x, y) to a rounded rectangle centred on (cx, cy); negative inside."""
    qx = abs(x - cx) - (half_w - radius)
    qy = abs(y - cy) - (half_h - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - radius


def in_triangle(x, y, a, b, c):
    def sign(p, q, r):
        return (p[0] - r[0]) * (q[1] - r[1]) - (q[0] - r[0]) * (p[1] - r[1])
    d1, d2, d3 = sign((x, y), a, b), sign((x, y), b, c), sign((x, y), c, a)
    has_neg = d1 < 0 or d2 < 0 or d3 < 0
    has_pos = d1 > 0 or d2 > 0 or d3 > 0
    return not (has_neg and has_pos)


def bubble(x, y, s):
    """True inside the speech bubble, drawn on a unit square scaled by s."""
    body = rounded_rect_distance(x, y, 0.5 * s, 0.44 * s, 0.34 * s, 0.25 * s, 0.09 * s) <= 0
    tail = in_triangle(x, y, (0.30 * s, 0.62 * s), (0.46 * s, 0.62 * s), (0.26 * s, 0.84 * s))
    return body or tail


def text_lines(x, y, s):
    for cy, half_w in ((0.34, 0.20), (0.44, 0.20), (0.54, 0.12)):
        left = 0.5 - 0.20
        cx = left + half_w
        if rounded_rect_distance(x, y, cx * s, cy * s, half_w * s, 0.025 * s, 0.025 * s) <= 0:
            return True
    return False


def render(size, shade):
    """shade(x, y, size) -> (r, g, b, a) for a point; averaged over SUPERSAMPLE^2 samples per pixel."""
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter type: none
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    r, g, b, a = shade(px + (sx + 0.5) / SUPERSAMPLE, py + (sy + 0.5) / SUPERSAMPLE, size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = SUPERSAMPLE * SUPERSAMPLE
            alpha = acc[3] / n
            if alpha > 0:
                row += bytes(round(acc[i] / acc[3]) for i in range(3)) + bytes([round(alpha)])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))
    return rows


def color_shade(x, y, s):
    if text_lines(x, y, s):
        return (*ACCENT, 255)
    if bubble(x, y, s):
        return (*WHITE, 255)
    return (*ACCENT, 255)


def outline_shade(x, y, s):
    stroke = 0.075 * s
    inner_bubble = bubble_inset(x, y, s, stroke)
    if bubble(x, y, s) and not inner_bubble:
        return (*WHITE, 255)
    return (0, 0, 0, 0)


def bubble_inset(x, y, s, inset):
    body = rounded_rect_distance(x, y, 0.5 * s, 0.44 * s, 0.34 * s, 0.25 * s, 0.09 * s) <= -inset
    return body


def write_png(path, size, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
    path.write_bytes(data)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "infra" / "teams"
    write_png(out / "color.png", 192, render(192, color_shade))
    write_png(out / "outline.png", 32, render(32, outline_shade))


if __name__ == "__main__":
    main()
