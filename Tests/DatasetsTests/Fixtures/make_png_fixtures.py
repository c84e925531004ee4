"""Writes the PNG decoding fixtures and the pixels Pillow's convert("L") gives for each.

Run from this folder with a Python that has Pillow and numpy:
    python3 -m venv .venv-pillow && .venv-pillow/bin/pip install pillow numpy
    .venv-pillow/bin/python Tests/DatasetsTests/Fixtures/make_png_fixtures.py

Pillow writes the kinds it can write (L, 1, I;16, LA, RGB, RGBA, P with 8/4/2 bits, P with
transparency). A small writer below makes the kinds Pillow cannot write (2/4-bit gray, 16-bit
gray+alpha, RGB and RGBA, Adam7 interlacing, a gAMA chunk, every row filter). Every file is
then read back with Pillow, and its convert("L") pixels are stored, in the order of
png_kinds.txt, as 784 bytes each in pillow_expected_L.gz (gzip, header time 0).
"""
import gzip
import io
import os
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "png")
Y, X = np.mgrid[0:28, 0:28]


def glyph(shift=0):
    """A letter-like 0..255 pattern: a ring and a bar on a dark ground with soft edges."""
    r = np.sqrt((X - 14 + shift) ** 2 + (Y - 13) ** 2)
    ring = np.clip(255 - np.abs(r - 8) * 90, 0, 255)
    bar = np.where((np.abs(X - 16 - shift) < 3) & (Y > 6) & (Y < 24), 230, 0)
    return np.maximum(ring, bar).astype(np.uint8)


def write_png(path, width, height, depth, color_type, rows, interlace=False, extra=b""):
    """Writes a PNG from raw scanlines; row filters cycle through 0..4."""

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = max(1, channels * depth // 8)

    def packed_row(values):
        if depth >= 8:
            dtype = ">u2" if depth == 16 else "u1"
            return np.asarray(values, dtype=dtype).tobytes()
        bits = "".join(format(int(v), "0%db" % depth) for v in values)
        bits += "0" * (-len(bits) % 8)
        return bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))

    def filtered(lines):
        out = b""
        prev = None
        for n, line in enumerate(lines):
            kind = n % 5
            cur = bytearray(line)
            up = prev if prev is not None else bytearray(len(cur))
            res = bytearray(len(cur))
            for i in range(len(cur)):
                a = cur[i - bpp] if i >= bpp else 0
                b = up[i]
                c = up[i - bpp] if i >= bpp else 0
                if kind == 0:
                    p = 0
                elif kind == 1:
                    p = a
                elif kind == 2:
                    p = b
                elif kind == 3:
                    p = (a + b) // 2
                else:
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                res[i] = (cur[i] - p) & 0xFF
            out += bytes([kind]) + bytes(res)
            prev = cur
        return out

    # rows: array [height, width, channels] of sample values.
    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
                  (1, 0, 2, 2), (0, 1, 1, 2)]
        data = b""
        for x0, y0, dx, dy in passes:
            sub = rows[y0::dy, x0::dx]
            if sub.size:
                data += filtered([packed_row(r.reshape(-1)) for r in sub])
    else:
        data = filtered([packed_row(r.reshape(-1)) for r in rows])
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlace else 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
    png += chunk(b"IDAT", zlib.compress(data, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def pillow_save(path, image, **options):
    image.save(path, "PNG", optimize=False, **options)


def main():
    os.makedirs(OUT, exist_ok=True)
    g = glyph()
    g2 = glyph(2)
    alpha = ((X * 9 + Y * 5) % 256).astype(np.uint8)
    rgb = np.stack([g, g2, (255 - g) // 3], axis=-1).astype(np.uint8)
    kinds = []

    def add(name):
        kinds.append(name)
        return os.path.join(OUT, name + ".png")

    # Kinds Pillow writes.
    pillow_save(add("gray8"), Image.fromarray(g))
    pillow_save(add("gray1"), Image.fromarray(g > 100).convert("1"))
    gray16 = (g.astype(np.uint16) * 2 + (X * 7 + Y * 3) % 5).astype(np.uint16)
    pillow_save(add("gray16"), Image.fromarray(gray16))
    pillow_save(add("gray_alpha8"), Image.merge("LA", [Image.fromarray(g), Image.fromarray(alpha)]))
    pillow_save(add("rgb8"), Image.fromarray(rgb))
    rgba = np.concatenate([rgb, alpha[..., None]], -1)
    rgba[:3, :, 3] = 0
    pillow_save(add("rgba8"), Image.fromarray(rgba))
    palette_image = Image.fromarray(rgb).quantize(colors=200, dither=Image.Dither.NONE)
    pillow_save(add("palette8"), palette_image)
    small_palette = Image.fromarray(rgb).quantize(colors=16, dither=Image.Dither.NONE)
    pillow_save(add("palette4"), small_palette, bits=4)
    tiny_palette = Image.fromarray(rgb).quantize(colors=4, dither=Image.Dither.NONE)
    pillow_save(add("palette2"), tiny_palette, bits=2)
    pillow_save(add("palette_transparency"), tiny_palette, bits=2, transparency=1)

    # Kinds written here.
    write_png(add("gray2"), 28, 28, 2, 0, (g >> 6)[..., None])
    write_png(add("gray4"), 28, 28, 4, 0, (g >> 4)[..., None])
    write_png(add("gray8_interlaced"), 28, 28, 8, 0, g[..., None], interlace=True)
    write_png(add("gray4_interlaced"), 28, 28, 4, 0, (g >> 4)[..., None], interlace=True)
    wide = (g.astype(np.uint16) * 257 + (X * 31 + Y * 17)).astype(np.uint16)
    write_png(add("gray_alpha16"), 28, 28, 16, 4,
              np.stack([wide, alpha.astype(np.uint16) * 257], -1))
    rgb16 = rgb.astype(np.uint16) * 257 + (X * 13)[..., None].astype(np.uint16)
    write_png(add("rgb16"), 28, 28, 16, 2, rgb16)
    rgba16 = np.concatenate([rgb16, (alpha.astype(np.uint16) * 200)[..., None]], -1)
    write_png(add("rgba16_interlaced"), 28, 28, 16, 6, rgba16, interlace=True)
    gama = struct.pack(">I", 80000)
    gama_chunk = struct.pack(">I", 4) + b"gAMA" + gama + struct.pack(
        ">I", zlib.crc32(b"gAMA" + gama) & 0xFFFFFFFF)
    write_png(add("gray8_gamma"), 28, 28, 8, 0, g[..., None], extra=gama_chunk)

    expected = b""
    for name in kinds:
        image = Image.open(os.path.join(OUT, name + ".png"))
        image.load()
        pixels = np.asarray(image.convert("L"), dtype=np.uint8)
        assert pixels.shape == (28, 28), name
        expected += pixels.tobytes()
    with open(os.path.join(HERE, "png_kinds.txt"), "w") as f:
        f.write("\n".join(kinds) + "\n")
    with open(os.path.join(HERE, "pillow_expected_L.gz"), "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as z:
            z.write(expected)


if __name__ == "__main__":
    main()
