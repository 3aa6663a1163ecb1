"""Load the lab's own content (research/content/lab.toml) into the database.

The file is a structured transcription of the lab's former research page: the
lab profile, the people known beyond their initials, the keywords, the six
themes and their representative papers. Loading is idempotent: a second run
finds every row as it should be and writes nothing.
"""

import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from publications import freshness, search
from publications.models import Keyword, Person, Publication
from research.models import LabProfile, RepresentativePublication, ResearchTheme

CONTENT_FILE = Path(__file__).with_name("lab.toml")

PAPER_FIELDS = (
    "venue",
    "volume",
    "issue",
    "pages",
    "article_number",
    "year",
    "doi",
    "type",
    "status",
)


@dataclass
class Summary:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, kind, created):
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self):
        return bool(self.created or self.updated)

    def __str__(self):
        def fmt(bucket):
            return ", ".join(f"{n} {kind}" for kind, n in sorted(bucket.items())) or "nothing"

        return f"created {fmt(self.created)}; updated {fmt(self.updated)}"


def read_content(path=CONTENT_FILE):
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _sync(instance, values):
    """Set attributes that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        current = getattr(instance, name)
        if current != value and not (current in (None, "") and value in (None, "")):
            setattr(instance, name, value)
            changed = True
    return changed


def _title_key(title):
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", title or "").casefold() if ch.isalnum()
    )


def _save(instance, values, kind, summary):
    created = instance.pk is None
    if _sync(instance, values) or created:
        instance.full_clean(exclude=["slug"]) if created else None
        instance.save()
        summary.count(kind, created)
    return instance


def _set_m2m(manager, objects, kind, summary):
    wanted = {obj.pk for obj in objects}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(objects)
        summary.count(kind, created=False)


def load_profile(data, summary):
    profile = LabProfile.objects.filter(pk=1).first() or LabProfile(pk=None)
    values = {
        f"{name}_{lang}": data[f"{name}_{lang}"].strip()
        for name in ("name", "mission", "intro")
        for lang in ("ja", "en")
    }
    created = profile.pk is None
    if _sync(profile, values) or created:
        profile.save()
        summary.count("lab profile", created)


def load_people(people, summary):
    for entry in people:
        variants = entry.get("variants", [])
        person = None
        for printed in variants:
            person = Person.objects.resolve(printed)
            if person is not None:
                break
        person = person or Person()
        values = {
            "family_name_en": entry.get("family_en", ""),
            "given_name_en": entry.get("given_en", ""),
            "family_name_ja": entry.get("family_ja", ""),
            "given_name_ja": entry.get("given_ja", ""),
            "is_lab_member": entry.get("lab_member", False),
        }
        _save(person, values, "people", summary)
        for printed in variants:
            person.add_variant(printed)


def load_keywords(keywords, summary):
    by_slug = {}
    for entry in keywords:
        keyword = Keyword.objects.filter(slug=entry["slug"]).first() or Keyword(slug=entry["slug"])
        values = {"name_ja": entry["name_ja"], "name_en": entry["name_en"]}
        by_slug[entry["slug"]] = _save(keyword, values, "keywords", summary)
    return by_slug


def find_publication(paper):
    if paper.get("doi"):
        match = Publication.objects.filter(doi__iexact=paper["doi"]).first()
        if match is not None:
            return match
    key = _title_key(paper["title"])
    for candidate in Publication.objects.filter(year=paper["year"]):
        if key in {_title_key(candidate.title_en), _title_key(candidate.title_ja)}:
            return candidate
    return None


def load_paper(paper, keywords, summary):
    publication = find_publication(paper) or Publication()
    values = {name: paper.get(name, "") for name in PAPER_FIELDS}
    values["title_en"] = paper["title"]
    values["numpages"] = paper.get("numpages")
    values["authors_truncated"] = paper.get("et_al", False)
    values["is_published"] = True
    _save(publication, values, "publications", summary)
    printed = [a.as_printed for a in publication.authorships.order_by("position")]
    if printed != paper["authors"]:
        publication.set_authors(paper["authors"])
        summary.count("author lists", created=False)
    _set_m2m(
        publication.keywords,
        [keywords[slug] for slug in paper["keywords"]],
        "paper keywords",
        summary,
    )
    return publication


def load_theme(order, data, keywords, summary):
    theme = ResearchTheme.objects.filter(slug=data["slug"]).first() or ResearchTheme(
        slug=data["slug"]
    )
    values = {
        f"{name}_{lang}": data[f"{name}_{lang}"].strip()
        for name in ("title", "lead", "body", "image_alt")
        for lang in ("ja", "en")
    }
    values.update(order=order, is_published=True)
    _save(theme, values, "themes", summary)
    _set_m2m(
        theme.keywords, [keywords[slug] for slug in data["keywords"]], "theme keywords", summary
    )
    papers = [load_paper(paper, keywords, summary) for paper in data.get("papers", [])]
    current = list(theme.representatives.order_by("order").values_list("publication_id", "order"))
    wanted = [(paper.pk, n) for n, paper in enumerate(papers, start=1)]
    if current != wanted:
        theme.representatives.all().delete()
        RepresentativePublication.objects.bulk_create(
            RepresentativePublication(theme=theme, publication_id=pk, order=n) for pk, n in wanted
        )
        freshness.content_changed()  # bulk_create sends no signal: announce it
        summary.count("representative lists", created=False)
    return theme


@transaction.atomic
def load_lab_content(path=CONTENT_FILE):
    """Load everything; returns a Summary of what was created or updated.

    The search documents of the papers touched are refreshed once, at the end.
    """
    data = read_content(path)
    summary = Summary()
    with search.deferred_refresh():
        load_profile(data["lab"], summary)
        load_people(data.get("people", []), summary)
        keywords = load_keywords(data["keywords"], summary)
        for order, theme in enumerate(data["themes"], start=1):
            load_theme(order, theme, keywords, summary)
    return summary
