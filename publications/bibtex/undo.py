"""Undoing an applied import, from the ImportItems `writing.apply_plan` recorded.

`undo(batch)` deletes the papers the batch created, restores the snapshots of
those it updated, removes the name variants it added, and the people and keywords
it created unless something else now uses them. It never discards an edit made
after the import (issue 19): a paper the batch created and someone saved since is
kept, and a paper it updated keeps each field, the author list and each keyword that
was changed since, while what still reads as the import left it goes back to its
state before the import. `changed_since_import(batch)` lists those papers
beforehand, and the summary names them afterwards.
"""

import itertools
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import freshness, search
from ..models import Authorship, ImportBatch, ImportItem, Keyword, NameVariant, Person, Publication
from . import locking
from .matching import snapshots
from .plan import PlanError


def changed_since_import(batch, using="default"):
    """Labels of the papers this batch wrote that were edited after it.

    A created paper counts as edited when it was saved after the import; an updated
    one when its state differs from the state the import left it in. Undo keeps those
    edits (the module docstring).
    """
    Kind = ImportItem.Kind
    created = list(
        batch.items.using(using)
        .filter(kind=Kind.PUBLICATION_CREATED)
        .values_list("object_id", "label")
    )
    edited = _edited_since(batch, [pk for pk, _label in created], using)
    labels = [label for pk, label in created if pk in edited]
    updated = list(batch.items.using(using).filter(kind=Kind.PUBLICATION_UPDATED))
    now = snapshots([item.object_id for item in updated], using)
    labels += [
        item.label
        for item in updated
        if item.object_id in now and _comparable(now[item.object_id]) != _comparable(item.after)
    ]
    return labels


def _edited_since(batch, pks, using):
    """The pks among these created papers that were saved after the batch was applied."""
    edited = set()
    for start in range(0, len(pks), 500):  # SQLite caps a query's parameters
        edited.update(
            Publication.objects.using(using)
            .filter(pk__in=pks[start : start + 500], updated_at__gt=batch.applied_at)
            .values_list("pk", flat=True)
        )
    return edited


def _comparable(snapshot):
    """The snapshot as it reads back from JSON (dates as strings, tuples as lists)."""
    return json.loads(json.dumps(snapshot, default=str)) if snapshot else None


@dataclass
class UndoSummary:
    deleted: int = 0
    restored: int = 0
    people_deleted: int = 0
    people_kept: int = 0
    keywords_deleted: int = 0
    kept: list = field(default_factory=list)  # labels of created papers edited since: kept
    merged: list = field(default_factory=list)  # labels of updated papers edited since

    def __str__(self):
        text = _(
            "%(deleted)d papers deleted, %(restored)d restored to their previous state, "
            "%(people)d people and %(keywords)d keywords removed"
        ) % {
            "deleted": self.deleted,
            "restored": self.restored,
            "people": self.people_deleted,
            "keywords": self.keywords_deleted,
        }
        if self.kept:
            text += _("; kept, because they were edited after the import: %(papers)s") % {
                "papers": "; ".join(self.kept)
            }
        if self.merged:
            text += _("; restored except the edits made after the import: %(papers)s") % {
                "papers": "; ".join(self.merged)
            }
        return text


def undo(batch, user=None, using="default"):
    """Restore what the batch changed and delete what it created; refuses a second undo."""
    with transaction.atomic(using=using), search.deferred_refresh():
        # Not while an import applies: it may be planning an update of a paper this deletes.
        locking.lock_imports(batch, using)
        batch = ImportBatch.objects.using(using).select_for_update().get(pk=batch.pk)
        _check_can_undo(batch)
        summary = UndoSummary()
        Kind = ImportItem.Kind
        # The items are read as ids, kind by kind (a 100,000-entry import has as many):
        # only the updated papers' items carry snapshots, and `_restore` reads them in chunks.
        items = batch.items.using(using).order_by("pk")

        def ids(kind):
            return list(items.filter(kind=kind).values_list("object_id", flat=True))

        created = ids(Kind.PUBLICATION_CREATED)
        edited = _edited_since(batch, created, using)
        if edited:
            summary.kept = [
                label
                for object_id, label in items.filter(kind=Kind.PUBLICATION_CREATED)
                .values_list("object_id", "label")
                .iterator(chunk_size=2000)
                if object_id in edited
            ]
        deleted = 0
        unedited = [pk for pk in created if pk not in edited]
        for start in range(0, len(unedited), 500):  # SQLite caps a query's parameters
            chunk = unedited[start : start + 500]
            counts = Publication.objects.using(using).filter(pk__in=chunk).delete()[1]
            deleted += counts.get(Publication._meta.label, 0)
        summary.deleted = deleted
        restored, summary.merged = _restore(items.filter(kind=Kind.PUBLICATION_UPDATED), using)
        summary.restored = len(restored)
        NameVariant.objects.using(using).filter(pk__in=ids(Kind.VARIANT_CREATED)).delete()
        people = Person.objects.using(using).filter(pk__in=ids(Kind.PERSON_CREATED))
        unused = people.filter(authorships__isnull=True)
        summary.people_kept = people.count() - unused.count()
        summary.people_deleted = unused.delete()[1].get(Person._meta.label, 0)
        summary.keywords_deleted = _delete_unused_keywords(ids(Kind.KEYWORD_CREATED), using)
        batch.status = ImportBatch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.undone_by = user if user and user.is_authenticated else None
        batch.save(using=using)
        search.schedule(restored, using)
        freshness.content_changed(using)
    return summary


def _check_can_undo(batch):
    if batch.status == ImportBatch.Status.UNDONE:
        when = timezone.localtime(batch.undone_at).strftime("%Y-%m-%d %H:%M")
        raise PlanError(_("This import was already undone (%(when)s).") % {"when": when})
    if batch.status != ImportBatch.Status.APPLIED:
        raise PlanError(_("This import was never applied, so there is nothing to undo."))


def _restore(updated_items, using, chunk_size=500):
    """Put the updated papers back as they were before the import, except later edits.

    Returns (the pks restored, the labels of those that kept an edit made since). Field
    by field — and for the author list as a whole, and keyword by keyword — what still
    reads as the import left it (`ImportItem.after`) takes its value from before the
    import; what differs was changed since by someone else and stays. A paper deleted
    since is skipped, and so is an author deleted since.
    """
    restored, merged = [], []
    # A chunk of items (with their snapshots) at a time.
    updated_items = updated_items.iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(updated_items, chunk_size)):
        _restore_chunk(chunk, using, restored, merged)
    return restored, merged


def _restore_chunk(updated_items, using, restored, merged):
    now = snapshots([item.object_id for item in updated_items], using)
    for item in updated_items:
        publication = Publication.objects.using(using).filter(pk=item.object_id).first()
        if publication is None:
            continue
        before, after = item.before, item.after
        current = _comparable(now[item.object_id])
        kept_edit = False
        for name, value in before["fields"].items():
            if current["fields"].get(name) == after["fields"].get(name):
                setattr(publication, name, value)
            else:
                kept_edit = True
        publication.save(using=using)
        if current["authors"] == after["authors"]:
            _set_authors(publication, before["authors"], using)
        else:
            kept_edit = True
        keywords = _merge_keywords(before["keywords"], after["keywords"], current["keywords"])
        if set(current["keywords"]) != set(after["keywords"]):
            kept_edit = True
        publication.keywords.set(Keyword.objects.using(using).filter(pk__in=keywords))
        restored.append(publication.pk)
        if kept_edit:
            merged.append(item.label)


def _merge_keywords(before, after, current):
    """Keyword by keyword: as before the import where nobody changed it since, else as now."""
    result = set()
    for pk in {*before, *after, *current}:
        untouched = (pk in current) == (pk in after)
        if (pk in before) if untouched else (pk in current):
            result.add(pk)
    return result


def _set_authors(publication, authors, using):
    """Replace the paper's author list with [[person id, as printed]] (people still there)."""
    existing_people = set(
        Person.objects.using(using)
        .filter(pk__in=[person_id for person_id, _printed in authors])
        .values_list("pk", flat=True)
    )
    kept = [(person_id, printed) for person_id, printed in authors if person_id in existing_people]
    publication.authorships.all().delete()
    Authorship.objects.using(using).bulk_create(
        Authorship(
            publication=publication, person_id=person_id, position=position, as_printed=printed
        )
        for position, (person_id, printed) in enumerate(kept, start=1)
    )


def _delete_unused_keywords(created, using):
    """Delete the keywords the import created (pks) that nothing uses now; how many."""
    deleted = 0
    for keyword in Keyword.objects.using(using).filter(pk__in=created):
        in_use = any(
            getattr(keyword, relation.get_accessor_name()).exists()
            for relation in Keyword._meta.related_objects
            if not relation.hidden
        )
        if not in_use:
            keyword.delete(using=using)
            deleted += 1
    return deleted
