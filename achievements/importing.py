"""A researcher's presentations, awards and patents from researchmap: preview → choice
per row → confirm → undo (docs/sources-researchmap-orcid.md, "Other achievements").

`fetch` reads the lists (every page; an outage or an unreadable page raises
http.SourceError before anything is written); `create` plans them into a pending
ResearchmapImport whose `rows` the preview shows, each with its status:

* **new** — nothing like it is stored: imported by default;
* **duplicate** — an achievement of the same kind with the same researchmap id is stored
  (its BibTeX key `researchmap-<id>`), or the list gives it twice: skipped, the only choice;
* **possible** — one of the same kind with the same title (NFKC, case-folded, letters and
  digits only) in the same year is stored, entered by hand or from BibTeX: skipped by
  default, "new" on request. Unlike a paper (where journals repeat titles such as
  "Editorial"), a talk or an award with the same title in the same year is nearly always
  the one already there, and an achievement cannot be merged into it (no update);
* **error** — researchmap's item lacks what the kind needs (a title, a date…): skipped.

People are resolved as the papers' import resolves authors (`publications.bibtex.people`:
name variants, family name + compatible given name, the one lab member…), and shown on
the row: an existing person, or a new one. `confirm` writes the chosen rows in one
transaction and records on each row the object it created and in `people_created` the
people; `undo` deletes those objects — except any saved since the import, which it keeps
and names — and the people it created that nothing else uses now.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from publications import names as person_names
from publications.bibtex import locking
from publications.bibtex.people import People
from publications.models import NameVariant, Person, title_key
from publications.sources import researchmap as source

from . import researchmap
from .models import (
    KINDS,
    AwardRecipient,
    PatentInventor,
    PresentationAuthor,
    ResearchmapImport,
)

NEW, POSSIBLE, DUPLICATE, ERROR = "new", "possible", "duplicate", "error"
SKIP = "skip"
OPTIONS = {NEW: [NEW, SKIP], POSSIBLE: [SKIP, NEW], DUPLICATE: [SKIP], ERROR: [SKIP]}
TYPES = tuple(researchmap.TYPES)  # presentations, awards, industrial_property_rights
DATE_FIELDS = ("date", "filed_on", "registered_on")
LINKS = {  # kind → (contributor model, its field naming the achievement)
    "presentation": (PresentationAuthor, "presentation"),
    "award": (AwardRecipient, "award"),
    "patent": (PatentInventor, "patent"),
}


class ImportRefused(Exception):
    """The confirmation or undo cannot be done; the message says why (nothing written)."""


def fetch(permalink, types, progress=None):
    """{achievement type: its items} of a researchmap page, for each of `types`."""
    return {kind: source.fetch(permalink, kind, progress) for kind in TYPES if kind in types}


def holder_name(permalink):
    """The printed name of the member whose researchmap page it is, or ""."""
    from publications.sources.importing import member_owner
    from research.models import Member  # research → publications; read here, at run time

    for member in Member.objects.exclude(researchmap="").select_related("person"):
        if source.permalink_of(member.researchmap) == permalink:
            return member_owner(member)
    return ""


def _stored(kind):
    """({researchmap key: (pk, label)}, {(title key, year): [(pk, label)]}) of a kind."""
    model = KINDS[kind]
    by_key, by_title = {}, defaultdict(list)
    name = "name" if kind == "award" else "title"
    fields = ["pk", "citation_key", f"{name}_ja", f"{name}_en", *model.DATE_FIELDS]
    for row in model.objects.values(*fields):
        title = row[f"{name}_ja"] or row[f"{name}_en"] or ""
        dates = [row[f] for f in model.DATE_FIELDS if row[f]]
        label = f"{title} ({dates[0]:%Y-%m-%d})" if dates else title
        if row["citation_key"]:
            by_key[row["citation_key"]] = (row["pk"], label)
        for text in {row[f"{name}_ja"], row[f"{name}_en"]} - {None, ""}:
            for day in dates:
                by_title[(title_key(text), day.year)].append((row["pk"], label))
    return by_key, by_title


def _people(people, printed_names, warnings):
    """[{"printed", "person", "new"}] of the names, each person once."""
    result, seen = [], {}
    for printed in printed_names:
        family, given = person_names.split_name(printed)
        person_id = people.resolve(printed, family, given, warnings)
        if person_id in seen:
            warnings.append(
                _("“%(name)s” and “%(other)s” are the same person, listed twice: kept once.")
                % {"name": printed, "other": seen[person_id]}
            )
            continue
        seen[person_id] = printed
        result.append(
            {"printed": printed, "person": people.display(person_id), "new": person_id < 0}
        )
    return result


def _jsonable(values):
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


def plan(fetched, holder="", using="default"):
    """The preview's rows of {achievement type: items} (the module docstring)."""
    people = People(using)
    stored = {kind: _stored(kind) for kind in KINDS}
    seen, rows = set(), []
    for kind_type in TYPES:
        for n, item in enumerate(fetched.get(kind_type, ()), 1):
            row = {
                "number": len(rows) + 1,
                "type": kind_type,
                "kind": researchmap.TYPES[kind_type],
                "key": source.key_of(item, n),
                "status": NEW,
                "title": "",
                "date": "",
                "detail": "",
                "people": [],
                "values": {},
                "warnings": [],
                "reason": "",
                "matches": [],
                "object_id": None,
            }
            rows.append(row)
            try:
                mapped = researchmap.map_item(kind_type, item, n, holder)
            except researchmap.Problem as problem:
                # The title as researchmap gives it, if any, so that the editor knows which.
                texts = researchmap.texts(item.get(researchmap.TITLE_FIELDS[kind_type]))
                row.update(status=ERROR, reason=str(problem), title=next(iter(texts.values()), ""))
                _options(row)
                continue
            by_key, by_title = stored[mapped.kind]
            day = mapped.date
            row.update(
                key=mapped.key,
                title=mapped.title,
                date=day.isoformat(),
                detail=_detail(mapped.values),
                values=_jsonable(mapped.values),
                warnings=mapped.warnings,
                people=_people(people, mapped.names, mapped.warnings),
            )
            if (mapped.kind, mapped.key) in seen:
                row.update(status=DUPLICATE, reason=_("Listed twice by researchmap."))
            elif mapped.key in by_key:
                pk, label = by_key[mapped.key]
                row.update(status=DUPLICATE, matches=[{"id": pk, "label": label}])
            else:
                candidates = {}
                for name in ("title_ja", "title_en", "name_ja", "name_en"):
                    if mapped.values.get(name):
                        for pk, label in by_title.get(
                            (title_key(mapped.values[name]), day.year), ()
                        ):
                            candidates[pk] = label
                if candidates:
                    row.update(
                        status=POSSIBLE,
                        matches=[{"id": pk, "label": label} for pk, label in candidates.items()],
                    )
            seen.add((mapped.kind, mapped.key))
            _options(row)
    return rows


def _detail(values):
    """What a row shows beside the title: the meeting, the awarding body, the numbers."""
    for name in ("meeting", "awarding_body"):
        text = values.get(f"{name}_ja") or values.get(f"{name}_en")
        if text:
            return text
    return " / ".join(
        v for v in (values.get("application_number"), values.get("registration_number")) if v
    )


def _options(row):
    row["options"] = OPTIONS[row["status"]]
    row["default"] = row["choice"] = row["options"][0]


def create(
    page,
    fetched,
    *,
    holder="",
    user=None,
    source=ResearchmapImport.Source.ADMIN,
    is_published=True,
    papers_batch=None,
):
    """A pending import of the fetched lists, or None when they list nothing."""
    if not any(fetched.values()):
        return None
    return ResearchmapImport.objects.create(
        page=page,
        rows=plan(fetched, holder),
        created_by=user if user is not None and user.is_authenticated else None,
        source=source,
        is_published=is_published,
        papers_batch=papers_batch,
    )


def summary(rows):
    """{status: count} and {"new": …, "skip": …} of the choices, for the preview and the command."""
    counts = {status: 0 for status in (NEW, POSSIBLE, DUPLICATE, ERROR)}
    chosen = {NEW: 0, SKIP: 0}
    for row in rows:
        counts[row["status"]] += 1
        chosen[row["choice"]] += 1
    return counts, chosen


def _lock(batch):
    """One import applies (or is undone) at a time, papers' and achievements' alike, so that
    two readings of one page confirmed together cannot both add the same achievement: the
    papers' advisory lock on PostgreSQL; on SQLite a first statement that writes, which
    takes the database's write lock until the commit (publications/bibtex/locking.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [locking.IMPORT_LOCK_KEY])
    else:
        ResearchmapImport.objects.filter(pk=batch.pk).update(status=F("status"))


def _busy(error):
    if locking.is_busy(error):
        return ImportRefused(str(locking.ImportBusy()))
    return error


@dataclass
class Applied:
    created: int = 0
    people: int = 0
    gone: list = field(default_factory=list)  # labels: stored by someone else since the preview


def confirm(batch, choices=None, user=None):
    """Write the rows chosen "new" ({row number: choice}, else their default); all or nothing."""
    try:
        return _confirm(batch, choices or {})
    except OperationalError as error:
        raise _busy(error) from None


def _confirm(batch, choices):
    with transaction.atomic():
        _lock(batch)
        batch = ResearchmapImport.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ResearchmapImport.Status.PENDING:
            raise ImportRefused(_("This import was already applied or undone."))
        rows = batch.rows
        for row in rows:
            choice = choices.get(row["number"], row["default"])
            if choice not in row["options"]:
                raise ImportRefused(
                    _("Row %(number)d cannot be “%(choice)s”: nothing was imported.")
                    % {"number": row["number"], "choice": choice}
                )
            row["choice"] = choice
        result = Applied()
        people = People("default")
        created_people = {}  # negative id → Person
        for row in rows:
            if row["choice"] != NEW:
                continue
            model = KINDS[row["kind"]]
            # Imported meanwhile (another reading of the same page): not twice.
            if model.objects.filter(citation_key=row["key"]).exists():
                row["choice"] = SKIP
                result.gone.append(row["title"])
                continue
            values = {
                k: datetime.date.fromisoformat(v) if k in DATE_FIELDS and v else v
                for k, v in row["values"].items()
            }
            obj = model.objects.create(is_published=batch.is_published, **values)
            row["object_id"] = obj.pk
            _add_people(obj, row, people, created_people)
            result.created += 1
        batch.rows = rows
        batch.people_created = [person.pk for person in created_people.values()]
        batch.created_count = result.created
        batch.status = ResearchmapImport.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.save()
        result.people = len(created_people)
    return result


def _add_people(obj, row, people, created_people):
    """The achievement's people in order, resolved now (the database may have changed since
    the preview), the new ones created with the spelling that introduced them."""
    link, owner = LINKS[row["kind"]]
    contributors, seen = [], set()
    for entry in row["people"]:
        printed = entry["printed"]
        family, given = person_names.split_name(printed)
        person_id = people.resolve(printed, family, given)
        if person_id < 0:
            if person_id not in created_people:
                person = Person(**people.new[person_id])
                person.save()
                person.add_variant(printed)
                created_people[person_id] = person
            person_id = created_people[person_id].pk
        if person_id in seen:
            continue
        seen.add(person_id)
        extra = {"is_presenter": len(contributors) == 0} if row["kind"] == "presentation" else {}
        contributors.append(
            link(
                **{owner: obj},
                person_id=person_id,
                position=len(contributors) + 1,
                as_printed=printed[:200],
                **extra,
            )
        )
    link.objects.bulk_create(contributors)


@dataclass
class Undone:
    deleted: int = 0
    kept: list = field(default_factory=list)  # labels of achievements edited since: kept
    people_deleted: int = 0
    people_kept: int = 0

    def __str__(self):
        text = _("%(deleted)d achievements deleted, %(people)d people removed") % {
            "deleted": self.deleted,
            "people": self.people_deleted,
        }
        if self.kept:
            text += _("; kept, because they were edited after the import: %(items)s") % {
                "items": "; ".join(self.kept)
            }
        return text


def undo(batch, user=None):
    """Delete what the import created and nobody edited since; refuses a second undo."""
    try:
        return _undo(batch, user)
    except OperationalError as error:
        raise _busy(error) from None


def _undo(batch, user):
    with transaction.atomic():
        _lock(batch)
        batch = ResearchmapImport.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ResearchmapImport.Status.UNDONE:
            raise ImportRefused(_("This import was already undone."))
        if batch.status != ResearchmapImport.Status.APPLIED:
            raise ImportRefused(_("This import was never applied, so there is nothing to undo."))
        result = Undone()
        for row in batch.rows:
            if not row.get("object_id"):
                continue
            obj = KINDS[row["kind"]].objects.filter(pk=row["object_id"]).first()
            if obj is None:
                continue  # deleted since by someone else
            if obj.updated_at > batch.applied_at:
                result.kept.append(str(obj))
                continue
            obj.delete()
            result.deleted += 1
        for person in Person.objects.filter(pk__in=batch.people_created):
            if _in_use(person):
                result.people_kept += 1
                continue
            try:
                with transaction.atomic():
                    person.delete()
                result.people_deleted += 1
            except ProtectedError:
                result.people_kept += 1
        batch.status = ResearchmapImport.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.undone_by = user if user is not None and user.is_authenticated else None
        batch.save()
    return result


def _in_use(person):
    """Whether anything but the person's own name variants refers to them."""
    for relation in Person._meta.related_objects:
        if relation.related_model is NameVariant or not relation.field.concrete:
            continue
        if relation.related_model._base_manager.filter(**{relation.field.name: person}).exists():
            return True
    return False
