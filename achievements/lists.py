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

import datetime
import re

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, override

from publications import names
from publications.lists import Column, Entry, Kind, Run, csl, register

from .models import Award, Patent, Presentation, fiscal_year_bounds, fiscal_year_of

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
        counted=lambda n: (
            ngettext("%(count)d presentation", "%(count)d presentations", n) % {"count": n}
        ),
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
        counted=lambda n: ngettext("%(count)d award", "%(count)d awards", n) % {"count": n},
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
        counted=lambda n: ngettext("%(count)d patent", "%(count)d patents", n) % {"count": n},
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


def selector(model):
    """The Kind.select of `model`: the admin list's filters that apply to it (years, fiscal
    year, member, hidden; invited for presentations), people prefetched."""

    def select(data):
        queryset = model.objects.all() if data.get("hidden") else model.objects.published()
        if data.get("year_from") or data.get("year_to"):
            # One of its dates (a patent: filed or registered) in the years, both included.
            start = datetime.date(data.get("year_from") or datetime.MINYEAR, 1, 1)
            end = datetime.date(data.get("year_to") or datetime.MAXYEAR, 12, 31)
            queryset = queryset.in_period(start, end)
        if data.get("fiscal_year"):
            queryset = queryset.in_period(*fiscal_year_bounds(data["fiscal_year"]))
        if data.get("member"):
            link = model._meta.get_field("contributors").related_model
            queryset = queryset.filter(
                pk__in=link.objects.filter(
                    person__slug=data["member"], person__is_lab_member=True
                ).values(link._meta.get_field(model._meta.model_name).attname)
            )
        if model is Presentation and data.get("invited") in ("yes", "no"):
            queryset = queryset.filter(is_invited=data["invited"] == "yes")
        elif model is Presentation and data.get("invited") == "unknown":
            queryset = queryset.none()  # a presentation's invitation is always recorded
        link = model._meta.get_field("contributors").related_model
        people = link.objects.select_related("person").order_by("position", "pk")
        return queryset.prefetch_related(Prefetch("contributors", people, to_attr="ordered"))

    return select


for _kind, _model in ((PRESENTATIONS, Presentation), (AWARDS, Award), (PATENTS, Patent)):
    _kind.select = selector(_model)


# ---------------------------------------------------------------- English styles (ACS, APA)
#
# Presentations and patents go through the CSL processor as papers do (publications.lists.csl):
# a presentation is a CSL `speech`, a patent a CSL `patent`. CSL has no type for an award,
# so awards take the English form of the rules above in both English styles.

# 特許第7123456号 → 7123456; 特願2024-012345 → 2024-012345 (a Japanese patent office number).
_GRANTED = re.compile(r"^\s*特許\s*第?\s*([\d,]+)\s*号?\s*$")
_APPLIED = re.compile(r"^\s*特願\s*([\d-]+)\s*$")


def csl_names(item):
    """The item's people as CSL names (English where known), lab members marked."""
    result = []
    for name, member, contributor in people(item, "en"):
        person = contributor.person
        for family in (person.family_name_en, person.family_name_ja):
            if family and family in name:
                parts = {"family": family, "given": name.replace(family, "", 1).strip(" ,")}
                break
        else:
            family, given = names.split_name(name)
            parts = {"family": family, "given": given}
        if not parts["given"]:
            parts = {"literal": name} if " " in parts["family"] else {"family": parts["family"]}
        result.append(csl.mark(parts) if member else parts)
    return result


def _issued(value):
    return {"date-parts": [[value.year, value.month, value.day]]}


def presentation_csl(item, style):
    csl_item = {
        "id": f"presentation-{item.pk}",
        "type": "speech",
        "title": original(item, "title"),
        "author": csl_names(item),
        "issued": _issued(item.date),
        # APA 7 (10.5): "[Poster presentation]" or "[Conference presentation]".
        "genre": "Poster presentation"
        if item.format == item.Format.POSTER
        else "Conference presentation",
    }
    meeting, place = original(item, "meeting"), original(item, "place")
    if style == "acs":
        # The ACS style file has no rule for a speech; the ACS Guide's form for a
        # presentation is that of a paper in proceedings: "Title. In Meeting, Place, Date".
        csl_item["type"] = "paper-conference"
        del csl_item["genre"]
        csl_item["container-title"] = ", ".join(part for part in (meeting, place) if part)
    else:
        csl_item["event"] = meeting
        csl_item["event-place"] = place
    return {key: value for key, value in csl_item.items() if value}


def patent_csl(item, style):
    csl_item = {
        "id": f"patent-{item.pk}",
        "type": "patent",
        "title": original(item, "title"),
        "author": csl_names(item),
        "issued": _issued(item.date),
    }
    authority, number = "", item.registration_number or item.application_number
    if granted := _GRANTED.match(item.registration_number):
        authority, number = "JP", granted[1]
    elif not item.registration_number and (applied := _APPLIED.match(item.application_number)):
        authority, number = "JP", applied[1]
        csl_item["genre"] = "Patent application"
    if style == "acs":
        # ACS Guide: "Inventor. Title. Country Code Patent Number, Date."
        csl_item["number"] = f"{authority} {number}".strip()
    else:
        # APA 7: "(U.S. Patent No. 1,234,567). U.S. Patent and Trademark Office."
        csl_item["authority"] = authority
        csl_item["number"] = number
        csl_item["publisher"] = "Japan Patent Office" if authority == "JP" else ""
    return {key: value for key, value in csl_item.items() if value}


def csl_formatter(to_csl, style):
    def format_items(items):
        return csl.entries(style, [to_csl(item, style) for item in items])

    return format_items


def apa_patents(items):
    """APA entries of patents. CSL reads a number with a hyphen ("2024-054321", a Japanese
    application number) as a range and labels it "Nos." (CSL 1.0.2, contextual plural;
    the specification has no way to say "one number"): the label is set back to "No."."""
    entries = csl.entries("apa", [patent_csl(item, "apa") for item in items])
    for entry in entries:
        entry.runs = [
            Run(
                **{
                    **vars(run),
                    "text": run.text.replace(
                        " Patent application Nos. ", " Patent application No. "
                    ),
                }
            )
            for run in entry.runs
        ]
    return entries


def english_award_entry(item):
    """An award in the English rules above, whatever the language of its name."""
    rules = EN
    parts = [rules["title"].format(item.name_en or item.name_ja)]
    if body := item.awarding_body_en or item.awarding_body_ja:
        parts.append(body)
    parts.append(day(item.date, "en"))
    text = rules["parts"].join(parts) + rules["end"]
    if subject := item.subject_en or item.subject_ja:
        text += rules["subject"].format(subject)
    return Entry(_joined([*_names(item, "en", False), Run(text)]))


for _style in ("acs", "apa"):
    PRESENTATIONS.formatters[_style] = csl_formatter(presentation_csl, _style)
    PATENTS.formatters[_style] = (
        apa_patents if _style == "apa" else csl_formatter(patent_csl, _style)
    )
    AWARDS.formatters[_style] = lambda items: [english_award_entry(item) for item in items]
