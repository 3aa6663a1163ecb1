"""Open Graph cards: a 1200×630 PNG of a page's title in the lab's style, for pages
without a picture of their own (a theme's figure, a member's photo).

The page names its card by a signed token of its title (`card_url`), so the URL
draws only titles the site itself wrote. Cards are kept in the shared cache under
the content version: the lab's name on them changes with the content.
"""

import functools
import hashlib
import io
import logging
import re

from django.conf import settings
from django.core import checks, signing
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw, ImageFont

from publications import freshness

from .context_processors import lab_profile

logger = logging.getLogger(__name__)

SALT = "labsite.og-card"
SIZE = (1200, 630)
MARGIN = 80
# The lab's colours (static/css/site.css: --accent and the dark scheme's background).
BACKGROUND = (8, 46, 71)
ACCENT_LIGHT = (159, 208, 236)
WHITE = (255, 255, 255)
TITLE_SIZES = (68, 60, 52, 46)  # the largest that fits in MAX_LINES
MAX_LINES = 4
MAX_TITLE_CHARS = 200
# A unit a line may break after: a run of Latin text with its spaces, or one
# character of a script written without spaces (kana, kanji, full-width forms).
UNITS = re.compile(
    r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+"
)


@checks.register(checks.Tags.compatibility)
def check_card_font(app_configs, **kwargs):
    """Without the font the cards fall back to Pillow's, which has no Japanese."""
    try:
        ImageFont.truetype(settings.LABSITE_CARD_FONT, 10)
    except OSError:
        return [
            checks.Warning(
                f"LABSITE_CARD_FONT ({settings.LABSITE_CARD_FONT}) is not a font this "
                "machine has: Open Graph cards will show Japanese titles as boxes.",
                hint="apt-get install fonts-noto-cjk, or set CARD_FONT (docs/design.md).",
                id="research.W001",
            )
        ]
    return []


def card_url(request, title):
    # No timestamp: the same title always has the same URL (caches, crawlers).
    token = signing.Signer(salt=SALT).sign_object(title[:MAX_TITLE_CHARS], compress=True)
    return request.build_absolute_uri(reverse("card", args=[token]))


@functools.cache
def font(size):
    try:
        return ImageFont.truetype(settings.LABSITE_CARD_FONT, size)
    except OSError:
        # No Noto Sans CJK (docs/design.md): a card still, in Pillow's Latin font.
        logger.warning("card font %s not found", settings.LABSITE_CARD_FONT)
        return ImageFont.load_default(size)


def wrap(text, typeface, width):
    """Lines of at most `width` pixels, broken between words (or between characters
    of Japanese, which has no spaces); a word wider than a line is cut."""
    lines, line = [], ""
    for unit in UNITS.findall(" ".join(text.split())):
        if typeface.getlength((line + unit).rstrip()) <= width:
            line += unit
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = unit.lstrip()
        while typeface.getlength(line.rstrip()) > width:  # one word wider than a line
            cut = len(line) - 1
            while cut > 1 and typeface.getlength(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def title_lines(title):
    width = SIZE[0] - 2 * MARGIN
    for size in TITLE_SIZES:
        lines = wrap(title, font(size), width)
        if len(lines) <= MAX_LINES:
            return font(size), lines
    typeface = font(TITLE_SIZES[-1])
    lines = wrap(title, typeface, width)[:MAX_LINES]
    last = lines[-1]
    while last and typeface.getlength(last + "…") > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return typeface, lines


def draw_mark(draw, x, y, size):
    """The lab's mark (templates/includes/lab_mark.html) at (x, y), `size` pixels wide."""
    unit = size / 40
    draw.rounded_rectangle((x, y, x + size, y + size), radius=8 * unit, fill=(11, 92, 138))
    for cx, cy, r, colour in [
        *((cx, cy, 4.5, WHITE) for cx, cy in [(10, 10), (30, 10), (20, 20), (10, 30), (30, 30)]),
        *((cx, cy, 2.5, ACCENT_LIGHT) for cx, cy in [(20, 10), (10, 20), (30, 20), (20, 30)]),
    ]:
        draw.ellipse(
            (x + (cx - r) * unit, y + (cy - r) * unit, x + (cx + r) * unit, y + (cy + r) * unit),
            fill=colour,
        )


def draw_card(title, lab_names):
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    # The lattice of the mark, faint, across the right of the card.
    for row in range(8):
        for column in range(8):
            cx, cy = 780 + column * 64, 10 + row * 64
            r = 12 if (row + column) % 2 == 0 else 6
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(20, 72, 104))
    draw_mark(draw, MARGIN, MARGIN - 10, 72)
    draw.text(
        (MARGIN + 96, MARGIN + 26), "  ·  ".join(lab_names), font=font(34), fill=WHITE, anchor="lm"
    )
    typeface, lines = title_lines(title)
    line_height = typeface.size * 1.3
    top = min(250, 530 - len(lines) * line_height)  # the title ends above the accent bar
    for i, line in enumerate(lines):
        draw.text((MARGIN, top + i * line_height), line, font=typeface, fill=WHITE)
    draw.rectangle((MARGIN, SIZE[1] - 70, MARGIN + 160, SIZE[1] - 62), fill=ACCENT_LIGHT)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@require_GET
def card(request, token):
    try:
        title = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        raise Http404("No such card.") from None
    key = f"card:{freshness.content_version()}:{hashlib.sha256(token.encode()).hexdigest()}"
    cache = freshness.shared_cache()
    png = cache.get(key)
    if png is None:
        lab = lab_profile(request)
        names = [name for name in (lab.name_ja, lab.name_en) if name] or [
            "溝口研究室",
            "Mizoguchi Laboratory",
        ]
        png = draw_card(str(title), names)
        cache.set(key, png, freshness.TIMEOUT)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response
