"""researchmap's presentations, awards and patents → the achievements' fields.

researchmap's public read API lists a researcher's achievements of one type at
`GET https://api.researchmap.jp/{permalink}/{achievement_type}` (researchmap.V2 API
設計書, 業績リスト取得; read page by page by `publications.sources.researchmap.fetch`).
Three of its types are kinds this app holds:

* `presentations` (講演・口頭発表等) → Presentation: `presentation_title`, `event`,
  `location`, `publication_date` (発表年月日) or `from_event_date` (the more precise),
  `presentation_type` (`poster_presentation` → poster; `invited_oral_presentation`,
  `keynote_oral_presentation` → invited), `invited`, `is_international_presentation`,
  `presenters` (the people).
* `awards` (受賞) → Award: `award_name`, `association` (the awarding body),
  `award_title` (what it was for), `award_date`, `winners` (the people; when researchmap
  lists none, the holder of the page, as the ORCID import does for works without
  contributors).
* `industrial_property_rights` (産業財産権) → Patent, when
  `industrial_property_right_type` is `patent_right` (or unsaid): its
  `industrial_property_right_title`, `application_number`, `application_date`,
  `patent_number`, `registration_date`, `applicants`, `inventors`; a published
  application (`patent_announcement_number` 特開…, `patent_publication_number` 特表…)
  not yet registered is "application published". Utility models, designs and
  trademarks are not patents: their rows say so and are not imported.

Every text is a {"ja": …, "en": …} dict; each text goes to the column of its script
(researchmap's "ja" field often holds English typed twice), as the papers' import does.
A day is needed: a date of researchmap given to the month only is stored as the 1st, and
the row says so; a year alone is an error row. docs/sources-researchmap-orcid.md has the
table and what is left out.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from publications.bibtex.mapping import language_of
from publications.sources.researchmap import key_of

# researchmap's achievement type → our kind (achievements.models.KINDS).
TYPES = {"presentations": "presentation", "awards": "award", "industrial_property_rights": "patent"}
TITLE_FIELDS = {
    "presentations": "presentation_title",
    "awards": "award_name",
    "industrial_property_rights": "industrial_property_right_title",
}
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
POSTER_TYPES = frozenset({"poster_presentation"})
INVITED_TYPES = frozenset({"invited_oral_presentation", "keynote_oral_presentation"})


class Problem(Exception):
    """Why one achievement of the list cannot be imported (shown on its row)."""


@dataclass
class Mapped:
    kind: str
    key: str
    values: dict  # the model's fields (dates as datetime.date)
    names: list  # the people as researchmap prints them, in order
    warnings: list = field(default_factory=list)

    @property
    def title(self):
        name = "name" if self.kind == "award" else "title"
        return self.values.get(f"{name}_ja") or self.values.get(f"{name}_en") or ""

    @property
    def date(self):
        return (
            self.values.get("date")
            or self.values.get("registered_on")
            or (self.values.get("filed_on"))
        )


def texts(value):
    """{"ja": text, "en": text} of a researchmap value, each text under its script's language."""
    if isinstance(value, str):
        value = {"ja": value}
    if not isinstance(value, dict):
        return {}
    found = {}
    for lang in ("ja", "en"):
        text = value.get(lang)
        if isinstance(text, str) and text.strip():
            found.setdefault(language_of(text), " ".join(text.split()))
    return found


def _columns(model_field, value, max_length, label):
    found = texts(value)
    for text in found.values():
        if len(text) > max_length:
            raise Problem(
                _("The %(field)s is longer than %(limit)d characters.")
                % {"field": label, "limit": max_length}
            )
    return {f"{model_field}_{lang}": text for lang, text in found.items()}


def _parse(value, label):
    """(day, precision) of a researchmap date (`2024`, `2024-09`, `2024-09-12`): precision
    3 for a day, 2 for a month (the 1st), 1 for a year alone (no day); None if unsaid."""
    if not isinstance(value, str) or not value.strip():
        return None
    match = DATE.match(value.strip())
    if not match:
        raise Problem(
            _("The %(field)s “%(value)s” is not a date.") % {"field": label, "value": value}
        )
    year, month, day = match.groups()
    if month is None:
        return None, 1
    try:
        return datetime.date(int(year), int(month), int(day or 1)), 3 if day else 2
    except ValueError:
        raise Problem(
            _("The %(field)s “%(value)s” is not a date.") % {"field": label, "value": value}
        ) from None


def _date(values, label, warnings):
    """The most precise day among researchmap's dates for one field (e.g. 発表年月日, then
    開催年月日), or None when none is given; a month alone is dated the 1st and says so."""
    found = [(value, _parse(value, label)) for value in values]
    found = [(value, parsed) for value, parsed in found if parsed]
    if not found:
        return None
    value, (day, precision) = max(found, key=lambda pair: pair[1][1])
    if precision == 1:
        raise Problem(
            _("researchmap gives the year only (%(value)s) as the %(field)s: add it by hand.")
            % {"value": value, "field": label}
        )
    if precision == 2:
        warnings.append(
            _("researchmap gives the month only (%(value)s): dated the 1st; correct it if you "
              "know the day.") % {"value": value}
        )  # fmt: skip
    return day


def names(people, prefer="ja"):
    """The names of a {"ja": [{"name": …}], "en": […]} list, in `prefer`'s list if it has one."""
    if not isinstance(people, dict):
        return []
    for lang in (prefer, "en" if prefer == "ja" else "ja"):
        found = []
        for person in people.get(lang) or []:
            name = person.get("name") if isinstance(person, dict) else None
            if isinstance(name, dict):  # some pages give {"ja": …, "en": …} per name
                name = name.get(lang) or next((v for v in name.values() if v), "")
            if isinstance(name, str) and name.strip():
                found.append(" ".join(name.split()))
        if found:
            return found
    return []


def _url(item):
    for link in item.get("see_also") or []:
        if isinstance(link, dict) and link.get("label") == "url" and link.get("@id"):
            url = str(link["@id"])
            return url if len(url) <= 500 else ""
    return ""


def _language(value):
    """The list of people to read: the Japanese one when the title has a Japanese text."""
    return "ja" if "ja" in texts(value) else "en"


def _presentation(item, warnings):
    values = {
        **_columns("title", item.get("presentation_title"), 500, _("title")),
        **_columns("meeting", item.get("event"), 300, _("meeting")),
        **_columns("place", item.get("location"), 200, _("place")),
    }
    if not any(k.startswith("title_") for k in values):
        raise Problem(_("The presentation has no title."))
    day = _date([item.get("publication_date"), item.get("from_event_date")], _("date"), warnings)
    if day is None:
        raise Problem(_("The presentation has no date."))
    kind = str(item.get("presentation_type") or "")
    values.update(
        date=day,
        format="poster" if kind in POSTER_TYPES else "oral",
        is_invited=item.get("invited") is True or kind in INVITED_TYPES,
        is_international=item.get("is_international_presentation") is True,
    )
    people = names(item.get("presenters"), _language(item.get("presentation_title")))
    return values, people


def _award(item, warnings, holder):
    values = {
        **_columns("name", item.get("award_name"), 300, _("award")),
        **_columns("awarding_body", item.get("association"), 300, _("awarding body")),
        **_columns("subject", item.get("award_title"), 500, _("awarded for")),
    }
    if not any(k.startswith("name_") for k in values):
        raise Problem(_("The award has no name."))
    day = _date([item.get("award_date")], _("date"), warnings)
    if day is None:
        raise Problem(_("The award has no date."))
    values["date"] = day
    people = names(item.get("winners"), _language(item.get("award_name")))
    if not people and holder:
        people = [holder]
        warnings.append(
            _("researchmap lists no recipients: the award goes to %(name)s, whose page it is.")
            % {"name": holder}
        )
    return values, people


def _applicants(applicants):
    """applicant_ja / applicant_en: researchmap's `applicants` [{"applicant": {ja, en}}], joined."""
    found = {"ja": [], "en": []}
    for entry in applicants if isinstance(applicants, list) else []:
        if isinstance(entry, dict):
            for lang, text in texts(entry.get("applicant")).items():
                found[lang].append(text)
    joined = {"ja": "、".join(found["ja"]), "en": "; ".join(found["en"])}
    return {f"applicant_{lang}": text[:300] for lang, text in joined.items() if text}


def _patent(item, warnings):
    right = str(item.get("industrial_property_right_type") or "patent_right")
    if right != "patent_right":
        raise Problem(
            _("Not a patent (researchmap says “%(type)s”): the site holds patents only.")
            % {"type": right}
        )
    values = _columns("title", item.get("industrial_property_right_title"), 500, _("title"))
    if not values:
        raise Problem(_("The patent has no title."))
    application = str(item.get("application_number") or "").strip()[:100]
    registration = str(item.get("patent_number") or "").strip()[:100]
    filed = _date([item.get("application_date")], _("filing date"), warnings)
    registered = _date([item.get("registration_date")], _("registration date"), warnings)
    if not (filed or registered):
        raise Problem(_("The patent has no filing or registration date."))
    if filed and registered and registered < filed:
        raise Problem(_("A patent cannot be registered before it is filed."))
    values.update(
        application_number=application,
        registration_number=registration,
        filed_on=filed,
        registered_on=registered,
        status=(
            "registered"
            if registration or registered
            # 公開 (特開…) or 公表 (特表…): the application was published.
            else "published"
            if item.get("patent_announcement_number") or item.get("patent_publication_number")
            else "filed"
        ),
        **_applicants(item.get("applicants")),
    )
    people = names(item.get("inventors"), _language(item.get("industrial_property_right_title")))
    return values, people


def map_item(achievement_type, item, number, holder=""):
    """One item of a list of `achievement_type` → Mapped; raises Problem with the reason.

    `holder`: the printed name of the person whose page it is (an award's recipient when
    researchmap lists none).
    """
    kind = TYPES[achievement_type]
    warnings = []
    if kind == "presentation":
        values, people = _presentation(item, warnings)
    elif kind == "award":
        values, people = _award(item, warnings, holder)
    else:
        values, people = _patent(item, warnings)
    key = key_of(item, f"{kind}-{number}")
    values.update(url=_url(item), citation_key=key[:200])
    return Mapped(kind, key, values, people, warnings)
