"""A generated picture for a theme without its own figure: a crystal lattice and a
spectrum, both derived from the theme's slug, so each theme has its own and keeps it.

Only numbers are computed here; `templates/includes/theme_visual.html` draws them.
The picture is decorative (hidden from assistive technology): it shows no data.
"""

import hashlib
import math
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 180
# Projections a STEM image of a crystal commonly shows: (name, cell width and height
# in lattice constants, atoms as (x, y, heavy) in the cell).
R3 = math.sqrt(3)
LATTICES = [
    ("square", 1.0, 1.0, [(0.5, 0.5, True), *((x, y, False) for x in (0, 1) for y in (0, 1))]),
    ("hexagonal", 1.0, R3, [(0.5, R3 / 2, True), *((x, y, True) for x in (0, 1) for y in (0, R3))]),
    (
        "honeycomb",
        R3,
        3.0,
        [
            *((x, y, True) for x in (0, R3) for y in (0.5, 2.5)),
            (R3 / 2, 1.0, False),
            (R3 / 2, 2.0, False),
        ],
    ),
    ("dumbbell", 1.0, 1.4, [(0.35, 0.5, True), (0.65, 0.5, False)]),
]


@dataclass
class Visual:
    key: str
    hue: int
    lattice: str
    cell_width: float
    cell_height: float
    atoms: list  # (x, y, r, heavy) in the pattern's cell
    angle: int
    spectrum: str  # an SVG path's "d"


def _numbers(slug):
    """An endless stream of numbers in [0, 1) derived from the slug."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"{slug}:{counter}".encode()).digest()
        for i in range(0, len(digest), 4):
            yield int.from_bytes(digest[i : i + 4], "big") / 2**32
        counter += 1


def spectrum_path(peaks, baseline=HEIGHT - 12, height=70, steps=80):
    """An absorption-edge-like curve: a rising step and a few peaks, as a polyline."""
    points = []
    for i in range(steps + 1):
        x = WIDTH * i / steps
        t = i / steps
        y = 0.25 / (1 + math.exp(-(t - peaks[0][0]) * 40))
        for centre, weight, spread in peaks:
            y += weight * math.exp(-(((t - centre) / spread) ** 2))
        points.append(f"{x:.1f} {baseline - height * min(y, 1.0):.1f}")
    return "M" + " L".join(points)


def theme_visual(slug, hue):
    numbers = _numbers(slug)
    name, cell_w, cell_h, cell_atoms = LATTICES[int(next(numbers) * len(LATTICES))]
    scale = 22 + next(numbers) * 14  # the lattice constant, in user units
    heavy_r = scale * (0.16 + next(numbers) * 0.08)
    light_r = heavy_r * 0.55
    atoms = [
        (round(x * scale, 2), round(y * scale, 2), round(heavy_r if heavy else light_r, 2), heavy)
        for x, y, heavy in cell_atoms
    ]
    peaks = sorted(
        (0.15 + next(numbers) * 0.7, 0.2 + next(numbers) * 0.6, 0.02 + next(numbers) * 0.06)
        for _ in range(3)
    )
    return Visual(
        key=slug,
        hue=hue,
        lattice=name,
        cell_width=round(cell_w * scale, 2),
        cell_height=round(cell_h * scale, 2),
        atoms=atoms,
        angle=round(-25 + next(numbers) * 50),
        spectrum=spectrum_path(peaks),
    )
