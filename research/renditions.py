"""Images served as renditions: resized for their slot, WebP, made once with Pillow.

Theme images keep their shape (`rendition`); members' photos are cropped to a
square, at several widths for a `srcset` (`portraits`).

A rendition is written next to the media files (`renditions/…`) the first time a
page asks for it, and named after the source file's name, size and the target
width, so a replaced image gets new renditions and a browser cache never shows
the old one.
"""

import hashlib
import logging
from dataclasses import dataclass
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

SLOTS = {"card": 640, "hero": 1280}
# A member's photo: shown 8rem square in the list and 14rem on their page; these
# widths cover both at 1x and 2x (the browser picks from the srcset).
PORTRAIT_WIDTHS = (160, 320, 640)


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


def rendition(image_field, slot):
    """The rendition of an image for a slot ("card", "hero"); None when it is unreadable."""
    return _rendition(image_field, SLOTS[slot])


def portraits(image_field):
    """Square renditions of a photo at PORTRAIT_WIDTHS (fewer for a small photo: none is
    enlarged); [] when there is no photo or it is unreadable."""
    found = []
    for width in PORTRAIT_WIDTHS:
        made = _rendition(image_field, width, square=True)
        if made is None:
            return []
        if found and made.width <= found[-1].width:
            break  # the photo is smaller than this width: the last one is the largest
        found.append(made)
    return found


def _rendition(image_field, max_width, square=False):
    if not image_field:
        return None
    try:
        source_size = image_field.size
        # (Theme images' names predate square renditions: theirs stay as they were.)
        key = f"{image_field.name}:{source_size}:{max_width}" + (":square" if square else "")
        digest = hashlib.sha1(key.encode()).hexdigest()[:16]
        name = f"renditions/{digest}-{max_width}{'-sq' if square else ''}.webp"
        if default_storage.exists(name):
            with default_storage.open(name) as fh, Image.open(fh) as done:
                return Rendition(default_storage.url(name), *done.size)
        with image_field.open("rb") as fh, Image.open(fh) as img:
            img = ImageOps.exif_transpose(img)
            if img.mode not in ("RGB", "RGBA"):
                img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            if square:
                # Faces sit in the upper part of a portrait: keep it when cropping.
                side = min(img.width, img.height, max_width)
                img = ImageOps.fit(img, (side, side), Image.LANCZOS, centering=(0.5, 0.35))
            elif img.width > max_width:
                img = img.resize(
                    (max_width, round(img.height * max_width / img.width)), Image.LANCZOS
                )
            out = BytesIO()
            img.save(out, "WEBP", quality=82, method=4)
            size = img.size
        default_storage.save(name, ContentFile(out.getvalue()))
        return Rendition(default_storage.url(name), *size)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        logger.warning("Cannot make a rendition of %s", image_field.name, exc_info=True)
        return None
