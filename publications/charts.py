"""The publications-per-year chart: a server-rendered inline SVG bar chart with a table.

`year_chart` computes the geometry; `chart_html` writes the figure in one pass: a
chart of 37 years has some 300 numbers, which cost more through template
variables (and then through `format_html`, which checks every one for a lazy
string and escapes it) than the rest of the page. The bars are numbers that
`year_chart` computed; the texts (title, headings, the id) are escaped.
"""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

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


def year_chart(counts):
    """Bars for [(year, n)], every year from the first to the last (gaps show as 0)."""
    if not counts:
        return None
    by_year = dict(counts)
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


def _bar(bar, label_y):
    # Only numbers (ints and rounded floats from year_chart): nothing to escape.
    rect = (
        f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" class="bar">'
        f"<title>{bar.year}: {bar.count}</title></rect>"
    )
    if not bar.show_label:
        return rect
    return (
        f'{rect}<text x="{bar.label_x}" y="{label_y}" text-anchor="middle" class="tick">'
        f"{bar.year}</text>"
    )


def chart_html(chart, chart_id):
    """The <figure>: the SVG (role="img", titled with the totals) and the same data as a table."""
    if not chart:
        return ""
    title = gettext("Publications per year: %(total)s papers from %(first)s to %(last)s.") % {
        "total": chart["total"],
        "first": chart["first"],
        "last": chart["last"],
    }
    summary = escape(gettext("Publications per year (table)"))
    year, papers = escape(gettext("Year")), escape(gettext("Papers"))
    w, h, base, chart_id = chart["width"], chart["height"], chart["baseline"], escape(chart_id)
    bars = "\n    ".join(_bar(b, chart["label_y"]) for b in chart["bars"])
    rows = "".join(f"<tr><td>{y}</td><td>{n}</td></tr>" for y, n in chart["rows"])
    return mark_safe(
        f'<figure class="year-chart">\n  <svg viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        f' role="img" aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">\n'
        f'    <title id="{chart_id}-title">{escape(title)}</title>\n'
        f'    <line x1="0" y1="{base}" x2="{w}" y2="{base}" class="axis"/>\n    {bars}\n  </svg>\n'
        f"  <figcaption>\n    <details>\n      <summary>{summary}</summary>\n"
        '      <table class="year-table">\n        <thead><tr>'
        f'<th scope="col">{year}</th><th scope="col">{papers}</th></tr></thead>\n'
        f"        <tbody>{rows}</tbody>\n      </table>\n    </details>\n  </figcaption>\n</figure>"
    )
