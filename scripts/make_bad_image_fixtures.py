#!/usr/bin/env python3
"""Regenerates the small image fixtures of e2e/badImages.spec.ts in e2e/fixtures/bad/.

Run: /usr/bin/python3 scripts/make_bad_image_fixtures.py   (needs Pillow: Debian's python3-pil)

Most have a reference PNG that decodes to exactly the same RGB pixels (`photo.png` for those made from the
photo without loss, `X-ref.png` for the others), so the spec can prove an unusual encoding (grayscale, 16-bit,
palette, the first frame of an animation) is decoded right by asserting both get the same predictions. The
reference of the animated GIF is Pillow's own decoding of its first frame.
Files the browser must make or that are big (the 9000x6000 JPEG, the 20000x20000 PNG, truncated and fake
files) are made by the spec itself.
"""

import io
import struct
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "e2e" / "fixtures" / "bad"


def save(image, name, **options):
    buffer = io.BytesIO()
    image.save(buffer, **options)
    (OUT / name).write_bytes(buffer.getvalue())
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png16(image):
    """An RGB image as a 16-bit-per-channel PNG, each 8-bit value v stored as v*257 (which any decoder maps
    back to exactly v). Pillow cannot write 16-bit RGB PNGs, hence by hand."""
    width, height = image.size
    pixels = image.tobytes()
    rows = []
    for y in range(height):
        row = pixels[y * width * 3 : (y + 1) * width * 3]
        rows.append(b"\0" + b"".join(struct.pack(">H", v * 257) for v in row))
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + png_chunk(b"IEND", b"")
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    photo = Image.open(ROOT / "e2e" / "fixtures" / "chelsea.jpg").convert("RGB").resize((150, 100), Image.LANCZOS)
    save(photo, "photo.png", format="PNG")

    gray = photo.convert("L")
    save(gray, "gray.png", format="PNG")
    save(gray.convert("RGB"), "gray-ref.png", format="PNG")
    save(gray, "gray.jpg", format="JPEG", quality=90)

    (OUT / "rgb16.png").write_bytes(png16(photo))

    palette = photo.quantize(colors=64, dither=Image.Dither.NONE)
    save(palette, "palette.png", format="PNG")
    save(palette.convert("RGB"), "palette-ref.png", format="PNG")

    # CMYK, as print workflows write it; Pillow stores Adobe-style inverted CMYK with an APP14 marker.
    save(photo.convert("CMYK"), "cmyk.jpg", format="JPEG", quality=90)

    # 256x256, so the model's resize is a no-op and the crop pixel-exact: the left half is the photo, the
    # right half fully transparent with red underneath, which must come out white, exactly as in the reference.
    square = photo.resize((256, 256), Image.LANCZOS)
    alpha = square.convert("RGBA")
    ImageDraw.Draw(alpha).rectangle((128, 0, 255, 255), fill=(255, 0, 0, 0))
    save(alpha, "alpha.png", format="PNG")
    white = square.copy()
    ImageDraw.Draw(white).rectangle((128, 0, 255, 255), fill=(255, 255, 255))
    save(white, "alpha-ref.png", format="PNG")

    # Animations: the photo, then a different second frame (an inverted, flipped photo).
    second = Image.eval(photo.transpose(Image.FLIP_LEFT_RIGHT), lambda v: 255 - v)
    gif = save(photo, "animated.gif", format="GIF", save_all=True, append_images=[second], duration=200, loop=0)
    save(Image.open(io.BytesIO(gif)).convert("RGB"), "animated-gif-ref.png", format="PNG")
    save(photo, "animated.webp", format="WEBP", save_all=True, append_images=[second], duration=200, lossless=True)
    save(photo, "animated.png", format="PNG", save_all=True, append_images=[second], duration=200)

    save(photo.resize((40, 27)), "image.tiff", format="TIFF")

    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
