"""The publications-per-year chart's geometry: where each bar and label of the inline
SVG stands. templates/includes/year_chart.html draws it, with the same data as a table.
"""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 180
TOP, BOTTOM, LEFT, RIGHT = 16, 28, 8, 8


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    show_label: bool


def by_year(counts):
    """[(year, n)] sorted by year, undated (None) last."""
    return sorted(counts, key=lambda row: (row[0] is None, row[0] or 0))


def year_chart(counts):
    """Bars for [(year, n)], every year from the first to the last (gaps show as 0).

    Undated papers (year None) have no place on a time axis: they are left out.
    """
    by_year = {year: n for year, n in counts or () if year is not None}
    if not by_year:
        return None
    years = list(range(min(by_year), max(by_year) + 1))
    peak = max(by_year.values())
    slot = (WIDTH - LEFT - RIGHT) / len(years)
    bar_width = max(slot * 0.7, 1)
    plot_height = HEIGHT - TOP - BOTTOM
    label_every = max(1, round(len(years) / 12))
    bars = []
    for i, year in enumerate(years):
        n = by_year.get(year, 0)
        height = plot_height * n / peak if peak else 0
        x = LEFT + i * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                year=year,
                count=n,
                x=round(x, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                label_x=round(x + bar_width / 2, 1),
                show_label=(i % label_every == 0 or i == len(years) - 1),
            )
        )
    return {
        "bars": bars,
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
        "total": sum(by_year.values()),
        "first": years[0],
        "last": years[-1],
        "peak": peak,
        "rows": [(y, by_year[y]) for y in sorted(by_year)],
    }
