"""What the stylesheet promises that a test can read from it: the focus ring's contrast."""

import re
from pathlib import Path

import pytest
from django.conf import settings

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def without_comments(css):
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def custom_properties(block):
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", block))


def colour_schemes(css):
    """{scheme: custom properties}: :root, then :root inside prefers-color-scheme: dark."""
    schemes = {"light": custom_properties(re.search(r":root\s*{([^}]*)}", css).group(1))}
    dark = re.search(r"@media[^{]*prefers-color-scheme:\s*dark[^{]*{(.*?)}\s*}", css, re.S)
    if dark and (root := re.search(r":root\s*{([^}]*)", dark.group(1))):
        schemes["dark"] = {**schemes["light"], **custom_properties(root.group(1))}
    return schemes


def resolve(value, properties):
    while match := re.fullmatch(r"var\((--[\w-]+)\)", value.strip()):
        value = properties[match.group(1)]
    return value.strip()


def luminance(colour):
    """WCAG relative luminance of a #rgb or #rrggbb colour (the forms site.css uses)."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#e2a400", "#fff"), 1) == 2.2  # the ring issue 22 found


CSS = without_comments(SITE_CSS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("scheme", sorted(colour_schemes(CSS)))
def test_the_focus_ring_has_3_to_1_against_every_background(scheme):
    """WCAG 1.4.11: the outline drawn around a focused control must stand out (3:1)."""
    properties = colour_schemes(CSS)[scheme]
    rule = re.search(r"(?m)^:focus-visible\s*{([^}]*)}", CSS).group(1)
    outline = re.search(r"outline:\s*([^;]+);", rule).group(1)
    colour = resolve(
        re.search(r"(#[0-9a-fA-F]{3,6}\b|var\(--[\w-]+\))", outline).group(1), properties
    )
    # The page and the header (the ring is drawn outside the control, on its background).
    for background in ("--bg", "--bg-soft"):
        ratio = contrast(colour, resolve(properties[background], properties))
        assert ratio >= 3, f"{scheme}: focus ring {colour} on {background} is {ratio:.2f}:1"


# (text, background, minimum): text 4.5:1 (WCAG 1.4.3); the controls' borders, the
# mark's atoms and the current page's underline 3:1 (1.4.11).
PAIRS = [
    ("--ink", "--bg", 4.5),
    ("--ink", "--bg-soft", 4.5),
    ("--ink", "--bg-hero", 4.5),
    ("--muted", "--bg", 4.5),
    ("--muted", "--bg-soft", 4.5),
    ("--accent", "--bg", 4.5),
    ("--accent", "--bg-soft", 4.5),
    ("--accent", "--bg-hero", 4.5),
    ("--on-accent", "--accent", 4.5),
    ("--on-accent", "--accent-dark", 4.5),
    ("--accent-dark", "--bg", 4.5),
    ("--ink", "--notice-bg", 4.5),
    ("--ink", "--highlight", 4.5),
    ("--field-border", "--bg", 3),
    ("--mark-atom", "--mark-tile", 3),
    ("--accent", "--bg-hero", 3),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background", "minimum"), PAIRS)
def test_text_and_controls_contrast_in_both_colour_schemes(scheme, text, background, minimum):
    properties = colour_schemes(CSS)[scheme]
    ratio = contrast(
        resolve(properties[text], properties), resolve(properties[background], properties)
    )
    assert ratio >= minimum, f"{scheme}: {text} on {background} is {ratio:.2f}:1"


def test_dark_mode_follows_the_visitors_setting_and_redefines_every_colour():
    light, dark = colour_schemes(CSS)["light"], colour_schemes(CSS)["dark"]
    colours = {name for name, value in light.items() if value.strip().startswith("#")}
    dark_block = re.search(r"prefers-color-scheme:\s*dark[^{]*{\s*:root\s*{([^}]*)}", CSS).group(1)
    assert colours <= set(custom_properties(dark_block)), colours - set(
        custom_properties(dark_block)
    )
    assert all(dark[name] != light[name] for name in colours - {"--mark-atom"})


def test_print_hides_navigation_shows_link_addresses_and_keeps_papers_whole():
    block = re.search(r"@media print\s*{(.*)}\s*$", CSS, re.S).group(1)
    hidden = re.search(r"([^{}]+){\s*display:\s*none;\s*}", block).group(1)
    for selector in (".main-nav", ".site-search", ".language", ".filters-box", ".pagination"):
        assert selector in hidden
    assert re.search(
        r'\.publication \.links a\[href\^="http"\]::after\s*[,{][^}]*content:[^;]*attr\(href\)',
        block,
    )
    assert re.search(r"\.publication[^{]*{[^}]*break-inside:\s*avoid", block)
