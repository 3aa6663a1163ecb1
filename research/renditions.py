"""Images served as renditions: resized for their slot, WebP, made once with Pillow.

Theme images keep their shape (`rendition`); members' photos are cropped to a
square, at several widths for a `srcset` (`portraits`).

A rendition is written next to the media files (`renditions/…`) the first time a
page asks for it, and named after the source file's name, size and the target
width, so a replaced image gets new renditions and a browser cache never shows
the old one (the old file and its renditions are deleted: research/signals.py).

Bounded memory: an image of more than `LABSITE_MAX_IMAGE_PIXELS` pixels is never
decoded — its size is read from the file's header first (imagesize, without
Pillow), so a page shows the generated visual instead. Within the bound, a JPEG
is decoded at the smallest scale that still covers the slot (`draft`) and the
image is shrunk in place (`thumbnail`) before anything else copies it.
docs/limits.md has the figures.
"""

import hashlib
import logging
from dataclasses import dataclass
from io import BytesIO

import imagesize
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

SLOTS = {"card": 640, "hero": 1280}
# A member's photo: shown 8rem square in the list and 14rem on their page; these
# widths cover both at 1x and 2x (the browser picks from the srcset).
PORTRAIT_WIDTHS = (160, 320, 640)
# EXIF orientations that turn the image a quarter: its width is then its stored height.
_QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


def dimensions(file):
    """(width, height) of an image file as stored, read from its header without decoding
    it (nor Pillow's bomb check, which would refuse to say); None when unreadable."""
    try:
        file.seek(0)
        width, height = imagesize.get(file, exif_rotation=False)
    except (OSError, ValueError):
        return None
    finally:
        file.seek(0)
    return (width, height) if width > 0 and height > 0 else None


def too_many_pixels(size):
    return size[0] * size[1] > settings.LABSITE_MAX_IMAGE_PIXELS


def _name(image_name, source_size, max_width, square):
    # (Theme images' names predate square renditions: theirs stay as they were.)
    key = f"{image_name}:{source_size}:{max_width}" + (":square" if square else "")
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return f"renditions/{digest}-{max_width}{'-sq' if square else ''}.webp"


def rendition_names(image_name, source_size):
    """The file names every rendition of a stored image may have (slots and portraits)."""
    return [_name(image_name, source_size, width, False) for width in SLOTS.values()] + [
        _name(image_name, source_size, width, True) for width in PORTRAIT_WIDTHS
    ]


def rendition(image_field, slot):
    """The rendition of an image for a slot ("card", "hero"); None when it is unreadable
    or has more pixels than `LABSITE_MAX_IMAGE_PIXELS`."""
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
        name = _name(image_field.name, image_field.size, max_width, square)
        if default_storage.exists(name):
            with default_storage.open(name) as fh, Image.open(fh) as done:
                return Rendition(default_storage.url(name), *done.size)
        with image_field.open("rb") as fh:
            size = dimensions(fh)
            if size is None or too_many_pixels(size):
                logger.warning("Not decoding %s: %s pixels", image_field.name, size)
                return None
            with Image.open(fh) as img:
                if too_many_pixels(img.size):  # a header imagesize read otherwise
                    logger.warning("Not decoding %s: %s pixels", image_field.name, img.size)
                    return None
                out, size = _render(img, max_width, square)
        default_storage.save(name, ContentFile(out))
        return Rendition(default_storage.url(name), *size)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        logger.warning("Cannot make a rendition of %s", image_field.name, exc_info=True)
        return None


def _render(img, max_width, square=False):
    """(WebP bytes, size) of an opened image, upright: at most `max_width` wide, or a
    square of at most `max_width` cropped from it (its upper part: faces sit there)."""
    turned = img.getexif().get(ImageOps.ExifTags.Base.Orientation) in _QUARTER_TURNS
    width, height = img.size[::-1] if turned else img.size  # as it will stand
    if square:
        side = min(width, height, max_width)
        scale = side / min(width, height)
        box = (max(side, round(width * scale)), max(side, round(height * scale)))
    else:
        box = (max_width, 10 * max_width)
    if turned:
        box = box[::-1]  # the stored image is still turned
    img.draft("RGB", box)  # JPEG: decode at 1/2, 1/4 or 1/8 scale when that still covers it
    if img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    img.thumbnail(box, Image.LANCZOS)  # in place, through reduce(): no full-size copy
    img = ImageOps.exif_transpose(img)
    if square:
        side = min(img.width, img.height, max_width)
        img = ImageOps.fit(img, (side, side), Image.LANCZOS, centering=(0.5, 0.35))
    out = BytesIO()
    img.save(out, "WEBP", quality=82, method=4)
    return out.getvalue(), img.size
