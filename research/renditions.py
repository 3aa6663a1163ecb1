"""Theme images served as renditions: resized for their slot, WebP, made once with Pillow.

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


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


def rendition(image_field, slot):
    """The rendition of an image for a slot ("card", "hero"); None when it is unreadable."""
    if not image_field:
        return None
    max_width = SLOTS[slot]
    try:
        source_size = image_field.size
        digest = hashlib.sha1(f"{image_field.name}:{source_size}:{max_width}".encode()).hexdigest()[
            :16
        ]
        name = f"renditions/{digest}-{max_width}.webp"
        if default_storage.exists(name):
            with default_storage.open(name) as fh, Image.open(fh) as done:
                return Rendition(default_storage.url(name), *done.size)
        with image_field.open("rb") as fh, Image.open(fh) as img:
            img = ImageOps.exif_transpose(img)
            if img.mode not in ("RGB", "RGBA"):
                img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            if img.width > max_width:
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
