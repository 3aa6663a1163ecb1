"""Load the lab's own content (research/content/lab.toml) into the database.

The file is a structured transcription of the lab's former research page: the
lab profile, the people known beyond their initials, the lab's members (only
what the page states: Teruyasu Mizoguchi, whose lab it is), the keywords, the six
themes and their representative papers. Loading is idempotent: a second run
finds every row as it should be and writes nothing.

research/content/vocabulary.toml is the starter vocabulary of the field (issue
17): other spellings of lab.toml's keywords, which of them are too broad to link
themes, and a few hundred terms that tag no paper but widen search. Its terms are
Keywords too, merged with lab.toml's by slug (docs/vocabulary.md).
"""

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from publications import freshness, search
from publications.models import Keyword, Person, Publication, alias_lines
from publications.search import spelling_key
from research.models import LabProfile, Member, RepresentativePublication, ResearchTheme

CONTENT_FILE = Path(__file__).with_name("lab.toml")
VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")

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


class ContentError(ValueError):
    """The content files contradict themselves or the database; nothing was loaded."""


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


def read_vocabulary(path=VOCABULARY_FILE):
    """The terms of vocabulary.toml (a list of [[terms]] tables); none without the file."""
    if path is None or not Path(path).exists():
        return []
    return read_content(path).get("terms", [])


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


def load_members(members, summary):
    """The members the file states, matched by slug, each linked to their author.

    Only what the file states is set (names, the author): a role, dates, a photo,
    links or unpublishing done in the admin are kept on reload.
    """
    for entry in members:
        person = Person.objects.resolve(entry["person"])
        if person is None:
            raise ContentError(
                f"member {entry['slug']}: “{entry['person']}” names no author of [[people]]."
            )
        member = Member.objects.filter(slug=entry["slug"]).first() or Member(slug=entry["slug"])
        values = {
            "family_name_en": entry.get("family_en", ""),
            "given_name_en": entry.get("given_en", ""),
            "family_name_ja": entry.get("family_ja", ""),
            "given_name_ja": entry.get("given_ja", ""),
            "person_id": person.pk,
        }
        _save(member, values, "members", summary)


SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TERM_KEYS = {"slug", "name_ja", "name_en", "aliases_ja", "aliases_en", "links_themes", "broader"}


def _spellings(entry):
    """A term's names and aliases, each with the field it came from."""
    for lang in ("ja", "en"):
        if entry.get(f"name_{lang}"):
            yield f"name_{lang}", entry[f"name_{lang}"]
    for lang in ("ja", "en"):
        for alias in entry.get(f"aliases_{lang}", []):
            yield f"aliases_{lang}", alias


def merge_vocabulary(keywords, vocabulary):
    """lab.toml's keywords merged by slug with vocabulary.toml's terms, checked.

    Returns one entry per keyword (lab.toml's first, in order). Raises ContentError
    listing every problem: a malformed or repeated slug, a term without both names,
    a vocabulary entry renaming a lab.toml keyword, an alias repeating one of its
    term's spellings, a spelling claimed by two terms.
    """
    problems = []
    entries = {}
    max_name = Keyword._meta.get_field("name_ja").max_length
    for entry in keywords:
        entries[entry["slug"]] = {"from_lab": True, **entry}
    seen = set()
    for n, term in enumerate(vocabulary, start=1):
        slug = term.get("slug", "")
        where = f"vocabulary term {n} ({slug or 'no slug'})"
        if not SLUG_PATTERN.fullmatch(slug):
            problems.append(f"{where}: the slug must be lowercase ASCII words joined by hyphens.")
            continue
        if slug in seen:
            problems.append(f"{where}: the slug “{slug}” is used twice.")
            continue
        seen.add(slug)
        if unknown := sorted(set(term) - TERM_KEYS):
            problems.append(f"{where}: unknown field(s) {', '.join(unknown)}.")
        aliases = [term.get("aliases_ja", []), term.get("aliases_en", [])]
        if not all(isinstance(a, list) and all(isinstance(x, str) for x in a) for a in aliases):
            problems.append(f"{where}: aliases_ja and aliases_en must be lists of strings.")
            continue
        if "links_themes" in term and not isinstance(term["links_themes"], bool):
            problems.append(f"{where}: links_themes must be true or false.")
        broader = term.get("broader", [])
        if not (isinstance(broader, list) and all(isinstance(x, str) for x in broader)):
            problems.append(f"{where}: broader must be a list of slugs.")
            term = {**term, "broader": []}
        seed = entries.get(slug)
        if seed is not None:
            for lang in ("ja", "en"):
                name = term.get(f"name_{lang}")
                if name is not None and name != seed[f"name_{lang}"]:
                    problems.append(
                        f"{where}: name_{lang} differs from lab.toml's; a keyword's names"
                        " live in lab.toml."
                    )
            entries[slug] = {**term, **seed}
        else:
            entries[slug] = dict(term)
    owner = {}
    for slug, entry in entries.items():
        for lang in ("ja", "en"):
            if not (entry.get(f"name_{lang}") or "").strip():
                problems.append(f"{slug}: needs a name in both languages (name_{lang} is empty).")
            elif len(entry[f"name_{lang}"]) > max_name:
                problems.append(f"{slug}: name_{lang} is longer than {max_name} characters.")
        own = {}
        for field_name, spelling in _spellings(entry):
            key = spelling_key(spelling)
            if not key:
                problems.append(f"{slug}: the spelling “{spelling}” has no letters or digits.")
                continue
            exact = search.normalise_key(spelling)
            if field_name.startswith("aliases") and exact in own:
                problems.append(f"{slug}: the alias “{spelling}” repeats “{own[exact]}”.")
            own.setdefault(exact, spelling)
            other = owner.setdefault(key, slug)
            if other != slug:
                problems.append(f"“{spelling}” is a spelling of two terms: {other} and {slug}.")
        for parent in entry.get("broader", []):
            if parent == slug:
                problems.append(f"{slug}: a term cannot be broader than itself.")
            elif parent not in entries:
                problems.append(f"{slug}: the broader term “{parent}” is not a term of the files.")
    if not problems:
        problems += _cycles({slug: entry.get("broader", []) for slug, entry in entries.items()})
    if problems:
        raise ContentError("\n".join(problems))
    return list(entries.values())


def _cycles(broader):
    """A problem for each cycle in the broader relation ({slug: [broader slugs]}).

    A cycle would make every term in it narrower than itself: a query for one
    would widen to all the others, and "broader" would mean nothing.
    """
    problems, state = [], {}  # state: 1 on the current path, 2 done

    def visit(slug, path):
        state[slug] = 1
        for parent in broader.get(slug, []):
            if state.get(parent) == 1:
                loop = [*path[path.index(parent) :], parent]
                problems.append("the broader terms form a cycle: " + " → ".join(loop) + ".")
            elif parent not in state:
                visit(parent, [*path, parent])
        state[slug] = 2

    for slug in sorted(broader):
        if slug not in state:
            visit(slug, [slug])
    return problems


def _merged_aliases(shipped, current):
    """The shipped spellings, then those staff added in the admin (kept on reload)."""
    keys = {search.normalise_key(alias) for alias in shipped}
    extra = [line for line in alias_lines(current) if search.normalise_key(line) not in keys]
    return "\n".join([*shipped, *extra])


def _check_against_database(entries, existing):
    """A spelling of a shipped term must not be a keyword's in the database (say,
    one made in the admin or by a BibTeX import) under another slug."""
    shipped = {entry["slug"] for entry in entries}
    owner = {}
    for entry in entries:
        for _field, spelling in _spellings(entry):
            owner.setdefault(spelling_key(spelling), entry["slug"])
    problems = []
    for keyword in existing.values():
        # A shipped term's names are about to be the file's: only its aliases stay.
        spellings = keyword.spellings()
        if keyword.slug in shipped:
            spellings = alias_lines(keyword.aliases_ja) + alias_lines(keyword.aliases_en)
        for spelling in spellings:
            other = owner.get(spelling_key(spelling))
            if other is not None and other != keyword.slug and keyword.slug not in shipped:
                problems.append(
                    f"“{spelling}” is a spelling of the keyword {keyword.slug} in the database"
                    f" and of the shipped term {other}: merge them in the admin, or change"
                    " vocabulary.toml."
                )
            elif other is not None and other != keyword.slug:
                problems.append(
                    f"“{spelling}”, which staff gave to {keyword.slug}, is a spelling of the"
                    f" shipped term {other}: remove it from one of them."
                )
    if problems:
        raise ContentError("\n".join(problems))


def load_keywords(keywords, summary, vocabulary=()):
    """Keywords from lab.toml and terms from vocabulary.toml, merged by slug.

    Names and links_themes come from the files (links_themes only where the
    vocabulary says so); aliases are the shipped ones plus any staff added.
    Validation is one read of every keyword, not Keyword.full_clean per row: with a
    few hundred terms, the model's name check (a scan per keyword) would be quadratic.
    New keywords are inserted in one bulk_create: they tag no paper yet, so no search
    document needs refreshing; the content version is bumped by hand (no signals).
    """
    entries = merge_vocabulary(keywords, vocabulary)
    existing = {keyword.slug: keyword for keyword in Keyword.objects.all()}
    _check_against_database(entries, existing)
    by_slug, new = {}, []
    for entry in entries:
        keyword = existing.get(entry["slug"]) or Keyword(slug=entry["slug"])
        values = {"name_ja": entry["name_ja"], "name_en": entry["name_en"]}
        for lang in ("ja", "en"):
            current = getattr(keyword, f"aliases_{lang}")
            values[f"aliases_{lang}"] = _merged_aliases(entry.get(f"aliases_{lang}", []), current)
        if "links_themes" in entry:
            values["links_themes"] = entry["links_themes"]
        kind = "keywords" if entry.get("from_lab") else "vocabulary terms"
        if keyword.pk is None:
            _sync(keyword, values)
            keyword.set_name_keys()
            new.append(keyword)
            summary.count(kind, created=True)
        elif _sync(keyword, values):
            keyword.save()
            summary.count(kind, created=False)
        by_slug[entry["slug"]] = keyword
    if new:
        Keyword.objects.bulk_create(new)
        freshness.content_changed()
    load_broader(entries, by_slug, summary)
    return by_slug


def load_broader(entries, by_slug, summary):
    """Set each term's broader terms: the shipped ones plus any staff added in the admin.

    Like aliases, a relation staff added is kept on reload (the file cannot know
    of it); one the file drops is not removed from the database either, since the
    loader cannot tell it from a staff addition: remove it in the admin. The union
    is checked for cycles (a staff relation could close one with a shipped one).
    One query reads every relation and one bulk_create writes the missing ones.
    """
    through = Keyword.broader.through
    current = {}
    for from_id, to_id in through.objects.values_list("from_keyword_id", "to_keyword_id"):
        current.setdefault(from_id, set()).add(to_id)
    slug_of = dict(Keyword.objects.values_list("pk", "slug"))
    wanted = []
    for entry in entries:
        child = by_slug[entry["slug"]]
        have = current.get(child.pk, set())
        for parent_slug in entry.get("broader", []):
            parent = by_slug[parent_slug]
            if parent.pk not in have:
                wanted.append(through(from_keyword_id=child.pk, to_keyword_id=parent.pk))
                current.setdefault(child.pk, set()).add(parent.pk)
    if not wanted:
        return
    problems = _cycles(
        {slug_of[child]: [slug_of[p] for p in parents] for child, parents in current.items()}
    )
    if problems:
        raise ContentError(
            "\n".join(problems)
            + "\n(a relation staff added in the admin closes the cycle: remove it there,"
            " or change vocabulary.toml.)"
        )
    through.objects.bulk_create(wanted)
    freshness.content_changed()  # bulk_create sends no signal: announce it
    for _relation in wanted:
        summary.count("broader relations", created=True)


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
def load_lab_content(path=CONTENT_FILE, vocabulary_path=VOCABULARY_FILE):
    """Load everything; returns a Summary of what was created or updated.

    The search documents of the papers touched are refreshed once, at the end.
    Raises ContentError, having written nothing, when the files contradict
    themselves or the database.
    """
    data = read_content(path)
    vocabulary = read_vocabulary(vocabulary_path)
    summary = Summary()
    with search.deferred_refresh():
        load_profile(data["lab"], summary)
        load_people(data.get("people", []), summary)
        load_members(data.get("members", []), summary)
        keywords = load_keywords(data["keywords"], summary, vocabulary)
        for order, theme in enumerate(data["themes"], start=1):
            load_theme(order, theme, keywords, summary)
    return summary
