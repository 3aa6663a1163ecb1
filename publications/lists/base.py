"""The pieces every kind of achievement shares: runs, entries, columns, kinds, styles."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Run:
    """A stretch of an entry's text and how it is drawn."""

    text: str
    italic: bool = False
    bold: bool = False
    member: bool = False  # a lab member's name: bold and underlined where the format can
    superscript: bool = False
    subscript: bool = False


@dataclass
class Entry:
    """One item of a formatted list."""

    runs: list[Run]

    @property
    def text(self):
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Column:
    """A column of the CSV and Excel tables: its header and its value for one item.

    A value is text, a number, a boolean or None (an empty cell); `table` writes
    booleans as the words of `YES` / `NO`.
    """

    header: Any
    value: Callable[[Any], Any]


# The styles of formatted lists, in the order the admin offers them.
STYLES = {
    "ja": _("Japanese style (業績リスト)"),
    "acs": _("ACS (American Chemical Society)"),
    "apa": _("APA 7th edition"),
}


@dataclass
class Kind:
    """One type of achievement: papers, presentations, awards…"""

    key: str
    label: Any
    columns: list[Column]
    # style key (STYLES) → function(list of items) → list of Entry
    formatters: dict[str, Callable[[list], list[Entry]]] = field(default_factory=dict)
    # function(the achievement list form's cleaned data) → the items it selects, newest
    # first, ready to format (what they draw prefetched); the admin's list offers a kind
    # that has one.
    select: Callable[[dict], Any] | None = None
    # n → "n papers", "n presentations"… in the active language: what the messages that
    # refuse a long list say there is too much of (papers when not given).
    counted: Callable[[int], str] | None = None

    def format(self, items, style):
        return self.formatters[style](items)

    def count_text(self, count):
        if self.counted is None:
            from ..exports import papers_counted

            return papers_counted(count)
        return self.counted(count)


_kinds: dict[str, Kind] = {}


def register(kind):
    _kinds[kind.key] = kind
    return kind


def kinds():
    return dict(_kinds)
