"""Judge an uploaded image by its bytes and rebuild it from its pixels alone.

Only the decoded pixels survive: metadata (EXIF with GPS, XMP, comments, ICC profiles),
trailing data and anything smuggled in chunks is left behind, and the orientation the camera
recorded is applied to the pixels first so the photo still stands the right way up.
"""

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from parley.core.errors import ErrorCode, ParleyError

# Format name (as Pillow calls it) → (content type, file extension).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 88
# Markup that browsers would act on if the bytes were ever served as a page. An image that
# carries it anywhere is a polyglot, made to be two things at once: it is refused.
# Markers are long enough that compressed pixel data almost never spells one by chance.
MARKUP = re.compile(
    rb"<(?:!doctype|html|head>|body|script|iframe|object|embed|svg[\s>/])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanImage:
    """An accepted image, re-encoded, with its thumbnail; nothing is stored yet."""

    format: str
    content_type: str
    extension: str
    data: bytes
    thumbnail: bytes
    width: int
    height: int


def sniff_format(head: bytes) -> str | None:
    """Name the format from the first bytes, whatever the file is called or claims to be."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def refuse_unsupported() -> ParleyError:
    return ParleyError(
        ErrorCode.UNSUPPORTED_MEDIA,
        _("Only photos in JPEG, PNG, WebP or GIF format can be attached."),
    )


def clean_image(data: bytes) -> CleanImage:
    """Check the bytes and rebuild the image, or raise ParleyError saying why it is refused."""
    if not data:
        raise ParleyError(ErrorCode.INVALID, _("The file is empty."))
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise too_large(limit)
    expected = sniff_format(data[:16])
    if expected is None:
        raise refuse_unsupported()
    if MARKUP.search(data):
        raise ParleyError(
            ErrorCode.UNSUPPORTED_MEDIA,
            _("The image carries hidden web page code and was refused."),
        )
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise corrupt() from None
    if image.format != expected:
        raise corrupt()
    width, height = image.size
    if width * height > settings.ATTACHMENT_MAX_PIXELS:
        raise too_many_pixels()
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, EOFError):
        raise corrupt() from None
    content_type, extension = FORMATS[expected]
    return CleanImage(
        format=expected,
        content_type=content_type,
        extension=extension,
        data=_encode(_pixels_only(upright), expected),
        thumbnail=_thumbnail(upright),
        width=upright.width,
        height=upright.height,
    )


def too_large(limit: int) -> ParleyError:
    return ParleyError(
        ErrorCode.TOO_LARGE,
        _("The file is too large: at most %(limit)s MB per file.") % {"limit": megabytes(limit)},
    )


def megabytes(size: int) -> float | int:
    """10485760 → 10, 1572864 → 1.5: how a size limit is written for people."""
    value = round(size / (1024 * 1024), 1)
    return int(value) if value == int(value) else value


def too_many_pixels() -> ParleyError:
    return ParleyError(
        ErrorCode.TOO_LARGE,
        _("The image is too large: at most %(limit)s megapixels are accepted.")
        % {"limit": settings.ATTACHMENT_MAX_PIXELS // 1_000_000},
    )


def corrupt() -> ParleyError:
    return ParleyError(
        ErrorCode.INVALID, _("The image is damaged or incomplete and cannot be read.")
    )


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding the first frame's pixels and nothing else."""
    mode = image.mode
    if mode not in {"1", "L", "LA", "P", "RGB", "RGBA"}:
        image = image.convert("RGBA" if "A" in mode else "RGB")
    clean = image.copy()
    transparency = image.info.get("transparency")
    clean.info = {"transparency": transparency} if transparency is not None else {}
    return clean


def _encode(image: Image.Image, format: str) -> bytes:
    out = io.BytesIO()
    if format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif format == "WEBP":
        target = image.convert("RGBA" if _has_alpha(image) else "RGB")
        target.save(out, "WEBP", quality=JPEG_QUALITY)
    else:
        image.save(out, format, optimize=True)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    """A small JPEG on a white ground, for lists and message bubbles."""
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    if _has_alpha(small):
        rgba = small.convert("RGBA")
        ground = Image.new("RGB", rgba.size, "white")
        ground.paste(rgba, mask=rgba.getchannel("A"))
        small = ground
    out = io.BytesIO()
    small.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info)
