"""Photos and hostile files, generated in code for the attachment tests."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo_bytes(format: str = "JPEG", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    image = Image.new("RGB", size)
    image.putdata(
        [
            ((x * 7) % 256, (y * 5) % 256, (x * y) % 256)
            for y in range(size[1])
            for x in range(size[0])
        ]
    )
    out = io.BytesIO()
    image.save(out, format, **save)
    return out.getvalue()  # fmt: skip


def photo_with_gps(size: tuple[int, int] = (40, 20)) -> bytes:
    """A JPEG as a phone writes it: GPS position, camera model, and 'rotate 90°' orientation."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x0110] = "Spy Phone 3000"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (55.0, 45.0, 20.5), 3: "E", 4: (37.0, 37.0, 4.0)})
    return photo_bytes("JPEG", size, exif=exif.tobytes())


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge size: it would unpack to width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024, 9))
        + _chunk(b"IEND", b"")
    )


def png_html_polyglot() -> bytes:
    """A valid PNG that is also a web page: markup hidden in a text chunk."""
    png = photo_bytes("PNG", (16, 16))
    markup = b"<html><body><script>alert(document.cookie)</script></body></html>"
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + _chunk(b"tEXt", b"Comment\x00" + markup) + png[iend:]


def corrupt_png() -> bytes:
    """A PNG whose compressed pixel data has been scrambled in transit."""
    data = bytearray(photo_bytes("PNG", (64, 64)))
    start = data.index(b"IDAT") + 20
    for index in range(start, start + 40):
        data[index] ^= 0x5A
    return bytes(data)


def hostile_files() -> dict[str, tuple[bytes, str, str]]:
    """name → (bytes, file name, declared content type)."""
    jpeg = photo_bytes("JPEG", (200, 200), quality=95)
    return {
        "svg": (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            b'<rect width="10" height="10"/></svg>',
            "picture.svg",
            "image/svg+xml",
        ),
        "html": (b"<!doctype html><script>alert(1)</script>", "photo.jpg", "image/jpeg"),
        "elf": (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "holiday.jpg", "image/jpeg"),
        "truncated_jpeg": (jpeg[: len(jpeg) // 2], "cut.jpg", "image/jpeg"),
        "corrupt_png": (corrupt_png(), "scrambled.png", "image/png"),
        "polyglot": (png_html_polyglot(), "innocent.png", "image/png"),
        "bomb": (png_header_only(20_000, 20_000), "bomb.png", "image/png"),
    }  # fmt: skip
