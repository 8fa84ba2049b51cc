"""Width, height and how much is drawn in PNG files, without PIL (tests/cli/analyze.sh).

Usage: pngstat.py FILE...  prints per file: "FILE WIDTH HEIGHT INKED COLOURS", where INKED is
the fraction of pixels that are not (near) white and COLOURS the number of distinct colours
(quantised to 4 bits per channel). Reads 8-bit grey, RGB, RGBA, grey+alpha and indexed
non-interlaced PNGs, which is what rsvg-convert and Chromium write.
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError(f'{path}: not a PNG')
    pos, idat, pal = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, inter = struct.unpack('>IIBBBBB', body)
        elif kind == b'PLTE':
            pal = [tuple(body[i:i + 3]) for i in range(0, len(body), 3)]
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    if depth != 8 or inter:
        raise ValueError(f'{path}: bit depth {depth}, interlace {inter}: not supported')
    bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, ctype, bpp, rows, pal


def stats(path):
    w, h, ctype, bpp, rows, pal = decode(path)
    inked, colours = 0, set()
    step = max(1, (w * h) // 200000)  # a sample is enough for big screenshots
    k = 0
    for line in rows:
        for x in range(0, w):
            k += 1
            if k % step:
                continue
            px = line[x * bpp:(x + 1) * bpp]
            if ctype == 3:
                r, g, b = pal[px[0]]
            elif ctype in (0, 4):
                r = g = b = px[0]
            else:
                r, g, b = px[0], px[1], px[2]
            if ctype in (4, 6) and px[-1] < 16:
                r = g = b = 255  # transparent reads as the white page behind it
            if min(r, g, b) < 235:
                inked += 1
            colours.add((r >> 4, g >> 4, b >> 4))
    return w, h, inked * step / (w * h), len(colours)


for p in sys.argv[1:]:
    w, h, ink, ncol = stats(p)
    print(f'{p} {w} {h} {ink:.4f} {ncol}')
