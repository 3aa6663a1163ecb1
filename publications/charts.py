"""The publications-per-year chart's geometry: where each bar and label of the inline
SVG stands. templates/includes/year_chart.html draws it, with the same data as a table.

The SVG has no viewBox: bars and labels are placed across its width in percentages
and down its height in CSS pixels, so it fills any width while its text keeps the
size the stylesheet gives it (a scaled viewBox shrank 11-unit labels to about 6 px
on a 390 px phone). Each bar carries its count above it; where the columns are too
narrow for every year or count, `show_label`/`narrow_label` and `values`/`dense` say
which the stylesheet shows (docs/pages.md, "Charts").
"""

from dataclasses import dataclass
from math import ceil

HEIGHT = 180  # CSS pixels
TOP, BOTTOM = 20, 24  # room for the counts above the bars and the years below
SIDE = 1.5  # percent of the width left empty at each side
LABELS_WIDE, LABELS_NARROW = 12, 6  # at most this many year labels (wide, phone)
VALUES_WIDE, VALUES_NARROW = 40, 20  # counts above the bars up to this many years


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float  # percent of the width
    y: float  # pixels
    width: float  # percent of the width
    height: float  # pixels
    label_x: float  # percent of the width
    show_label: bool  # the year is labelled on a wide screen
    narrow_label: bool  # … and on a phone


def by_year(counts):
    """[(year, n)] sorted by year, undated (None) last."""
    return sorted(counts, key=lambda row: (row[0] is None, row[0] or 0))


def _every(years, at_most):
    return max(1, ceil(years / at_most))


def year_chart(counts):
    """Bars for [(year, n)], every year from the first to the last (gaps show as 0).

    Undated papers (year None) have no place on a time axis: they are left out.
    """
    by_year = {year: n for year, n in counts or () if year is not None}
    if not by_year:
        return None
    years = list(range(min(by_year), max(by_year) + 1))
    peak = max(by_year.values())
    slot = (100 - 2 * SIDE) / len(years)
    bar_width = slot * 0.7
    plot_height = HEIGHT - TOP - BOTTOM
    wide = _every(len(years), LABELS_WIDE)
    narrow = wide * _every(_every(len(years), LABELS_NARROW), wide)  # a subset of the wide ones
    bars = []
    for i, year in enumerate(years):
        n = by_year.get(year, 0)
        height = plot_height * n / peak if peak else 0
        x = SIDE + i * slot + (slot - bar_width) / 2
        from_last = len(years) - 1 - i  # the latest year is always labelled
        bars.append(
            Bar(
                year=year,
                count=n,
                x=round(x, 2),
                y=round(TOP + plot_height - height, 1),
                width=round(bar_width, 2),
                height=round(height, 1),
                label_x=round(x + bar_width / 2, 2),
                show_label=from_last % wide == 0,
                narrow_label=from_last % narrow == 0,
            )
        )
    return {
        "bars": bars,
        "height": HEIGHT,
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 6,
        "value_offset": 5,
        "values": len(years) <= VALUES_WIDE,
        "dense": len(years) > VALUES_NARROW,
        "total": sum(by_year.values()),
        "first": years[0],
        "last": years[-1],
        "peak": peak,
        "rows": [(y, by_year[y]) for y in sorted(by_year)],
    }
