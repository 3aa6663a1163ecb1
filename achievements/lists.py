"""Presentations, awards and patents as achievement lists (the layer of publications.lists):
their CSV / Excel columns and the Japanese style (docs/achievements.md, "Exports").

Japanese style, following the papers' (publications/lists/papers.py):

* presentation: ○発表者，共著者：「題目」，学会名，場所，2025年9月12日．［招待］［ポスター］
* award: 受賞者：「賞の名称」，授与機関，2025年3月1日．（対象：…）
* patent: 発明者：「発明の名称」，出願人，特願…（2024年1月10日出願），
  特許第…号（2025年2月3日登録）．

The presenter is marked ○ (a mark of Japanese lists, not of English ones). An item in
English (a title in English and none in Japanese, as for papers) takes the English
punctuation and the date as "Sep. 12, 2025".
"""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from publications.lists import Column, Entry, Kind, Run, register

from .models import fiscal_year_of

JA = {"names": "，", "after_names": "：", "parts": "，", "end": "．", "title": "「{}」",
      "filed": "（{}出願）", "registered": "（{}登録）", "subject": "（対象：{}）"}  # fmt: skip
EN = {"names": ", ", "after_names": ": ", "parts": ", ", "end": ".", "title": "“{}”",
      "filed": " (filed {})", "registered": " (registered {})",
      "subject": " (for: {})"}  # fmt: skip


def language(item, field):
    """ "ja" when the item is in Japanese: a Japanese text and no English one."""
    return "ja" if getattr(item, f"{field}_ja") and not getattr(item, f"{field}_en") else "en"


def original(item, field):
    """The text in the item's own language, else the other one."""
    ja, en = getattr(item, f"{field}_ja"), getattr(item, f"{field}_en")
    return (ja or en) if language(item, field) == "ja" else (en or ja)


def day(value, lang):
    if value is None:
        return ""
    if lang == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    with override("en"):
        return date_format(value, "M. j, Y").replace("May.", "May")


def people(item, lang=None):
    """[(name, is a lab member, contributor)] in order: the name as the source printed
    it, else the person's name in the item's language (`lang`, else the page's)."""
    return [
        (c.as_printed or c.person.full_name(lang), c.person.is_lab_member, c) for c in item.people()
    ]


def _names(item, lang, presenter_mark):
    rules = JA if lang == "ja" else EN
    runs = []
    for index, (name, member, contributor) in enumerate(people(item, lang)):
        if index:
            runs.append(Run(rules["names"]))
        if presenter_mark and getattr(contributor, "is_presenter", False):
            runs.append(Run("○"))
        runs.append(Run(name, member=member))
    if runs:
        runs.append(Run(rules["after_names"]))
    return runs


def _joined(runs):
    merged = []
    for run in runs:
        if merged and not run.member and not merged[-1].member:
            merged[-1] = Run(merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged


def presentation_entry(item):
    lang = language(item, "title")
    rules = JA if lang == "ja" else EN
    parts = [rules["title"].format(original(item, "title"))]
    parts += [text for text in (original(item, "meeting"), original(item, "place")) if text]
    parts.append(day(item.date, lang))
    text = rules["parts"].join(parts) + rules["end"]
    if item.is_invited:
        text += "［招待］"
    if item.format == item.Format.POSTER:
        text += "［ポスター］"
    return Entry(_joined([*_names(item, lang, lang == "ja"), Run(text)]))


def award_entry(item):
    lang = language(item, "name")
    rules = JA if lang == "ja" else EN
    parts = [rules["title"].format(original(item, "name"))]
    if original(item, "awarding_body"):
        parts.append(original(item, "awarding_body"))
    parts.append(day(item.date, lang))
    text = rules["parts"].join(parts) + rules["end"]
    if original(item, "subject"):
        text += rules["subject"].format(original(item, "subject"))
    return Entry(_joined([*_names(item, lang, False), Run(text)]))


def patent_entry(item):
    lang = language(item, "title")
    rules = JA if lang == "ja" else EN
    parts = [rules["title"].format(original(item, "title"))]
    if original(item, "applicant"):
        parts.append(original(item, "applicant"))
    if item.application_number or item.filed_on:
        filed = item.application_number
        if item.filed_on:
            filed += rules["filed"].format(day(item.filed_on, lang))
        parts.append(filed.strip())
    if item.registration_number or item.registered_on:
        registered = item.registration_number
        if item.registered_on:
            registered += rules["registered"].format(day(item.registered_on, lang))
        parts.append(registered.strip())
    text = rules["parts"].join(parts) + rules["end"]
    return Entry(_joined([*_names(item, lang, False), Run(text)]))


def _all(item):
    return ", ".join(name for name, _member, _c in people(item))


def _members(item):
    return ", ".join(name for name, member, _c in people(item) if member)


def _presenters(item):
    return ", ".join(name for name, _m, c in people(item) if c.is_presenter)


PRESENTATIONS = register(
    Kind(
        key="presentations",
        label=_("Presentations"),
        columns=[
            Column(_("Presentation title"), lambda p: original(p, "title")),
            Column(_("Authors"), _all),
            Column(_("Presenter"), _presenters),
            Column(_("Lab members"), _members),
            Column(_("Meeting"), lambda p: original(p, "meeting")),
            Column(_("Place"), lambda p: original(p, "place")),
            Column(_("Date"), lambda p: p.date.isoformat()),
            Column(_("Fiscal year"), lambda p: fiscal_year_of(p.date)),
            Column(_("Oral or poster"), lambda p: p.get_format_display()),
            Column(_("Invited"), lambda p: p.is_invited),
            Column(_("International meeting"), lambda p: p.is_international),
            Column(_("URL"), lambda p: p.url),
        ],
        formatters={"ja": lambda items: [presentation_entry(item) for item in items]},
    )
)

AWARDS = register(
    Kind(
        key="awards",
        label=_("Awards"),
        columns=[
            Column(_("Award"), lambda a: original(a, "name")),
            Column(_("Recipients"), _all),
            Column(_("Lab members"), _members),
            Column(_("Awarding body"), lambda a: original(a, "awarding_body")),
            Column(_("Awarded for"), lambda a: original(a, "subject")),
            Column(_("Date"), lambda a: a.date.isoformat()),
            Column(_("Fiscal year"), lambda a: fiscal_year_of(a.date)),
            Column(_("URL"), lambda a: a.url),
        ],
        formatters={"ja": lambda items: [award_entry(item) for item in items]},
    )
)

PATENTS = register(
    Kind(
        key="patents",
        label=_("Patents"),
        columns=[
            Column(_("Title of the invention"), lambda p: original(p, "title")),
            Column(_("Inventors"), _all),
            Column(_("Lab members"), _members),
            Column(_("Applicant"), lambda p: original(p, "applicant")),
            Column(_("Application number"), lambda p: p.application_number),
            Column(_("Filing date"), lambda p: p.filed_on.isoformat() if p.filed_on else None),
            Column(_("Patent number"), lambda p: p.registration_number),
            Column(
                _("Registration date"),
                lambda p: p.registered_on.isoformat() if p.registered_on else None,
            ),
            Column(_("Status"), lambda p: p.get_status_display()),
            Column(_("Fiscal year"), lambda p: fiscal_year_of(p.date)),
            Column(_("URL"), lambda p: p.url),
        ],
        formatters={"ja": lambda items: [patent_entry(item) for item in items]},
    )
)

# The page's `type` value → the list kind.
KINDS = {"presentation": PRESENTATIONS, "award": AWARDS, "patent": PATENTS}
