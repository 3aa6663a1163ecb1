"""Undoing an applied import, from the ImportItems `writing.apply_plan` recorded.

`undo(batch)` deletes the papers the batch created, restores the snapshots of
those it updated, removes the name variants it added, and the people and keywords
it created unless something else now uses them. `changed_since_import(batch)`
lists the papers whose later edits an undo would lose.
"""

import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import freshness, search
from ..models import Authorship, ImportBatch, ImportItem, Keyword, NameVariant, Person, Publication
from .matching import snapshots
from .plan import PlanError


def changed_since_import(batch, using="default"):
    """Labels of the papers this batch wrote that were edited after it.

    A created paper counts as edited when it was saved after the import; an updated
    one when its state differs from the state the import left it in.
    """
    Kind = ImportItem.Kind
    created = batch.items.filter(kind=Kind.PUBLICATION_CREATED).values_list("object_id", "label")
    edited = set(
        Publication.objects.using(using)
        .filter(pk__in=[pk for pk, _label in created], updated_at__gt=batch.applied_at)
        .values_list("pk", flat=True)
    )
    labels = [label for pk, label in created if pk in edited]
    updated = list(batch.items.filter(kind=Kind.PUBLICATION_UPDATED))
    now = snapshots([item.object_id for item in updated], using)
    labels += [
        item.label
        for item in updated
        if item.object_id in now and _comparable(now[item.object_id]) != _comparable(item.after)
    ]
    return labels


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

    def __str__(self):
        return _(
            "%(deleted)d papers deleted, %(restored)d restored to their previous state, "
            "%(people)d people and %(keywords)d keywords removed"
        ) % {
            "deleted": self.deleted,
            "restored": self.restored,
            "people": self.people_deleted,
            "keywords": self.keywords_deleted,
        }


def undo(batch, user=None, using="default"):
    """Restore what the batch changed and delete what it created; refuses a second undo."""
    with transaction.atomic(using=using), search.deferred_refresh():
        batch = ImportBatch.objects.using(using).select_for_update().get(pk=batch.pk)
        _check_can_undo(batch)
        summary = UndoSummary()
        items = defaultdict(list)  # kind → ImportItems
        for item in batch.items.all():
            items[item.kind].append(item)
        Kind = ImportItem.Kind
        created = [item.object_id for item in items[Kind.PUBLICATION_CREATED]]
        deleted = Publication.objects.using(using).filter(pk__in=created).delete()[1]
        summary.deleted = deleted.get(Publication._meta.label, 0)
        restored = _restore(items[Kind.PUBLICATION_UPDATED], using)
        summary.restored = len(restored)
        NameVariant.objects.using(using).filter(
            pk__in=[item.object_id for item in items[Kind.VARIANT_CREATED]]
        ).delete()
        people = Person.objects.using(using).filter(
            pk__in=[item.object_id for item in items[Kind.PERSON_CREATED]]
        )
        unused = people.filter(authorships__isnull=True)
        summary.people_kept = people.count() - unused.count()
        summary.people_deleted = unused.delete()[1].get(Person._meta.label, 0)
        summary.keywords_deleted = _delete_unused_keywords(items[Kind.KEYWORD_CREATED], using)
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


def _restore(updated_items, using):
    """Put the updated papers back as they were before the import; their pks.

    A paper deleted since is skipped, and so is an author deleted since.
    """
    restored = []
    for item in updated_items:
        publication = Publication.objects.using(using).filter(pk=item.object_id).first()
        if publication is None:
            continue
        for name, value in item.before["fields"].items():
            setattr(publication, name, value)
        publication.save(using=using)
        existing_people = set(
            Person.objects.using(using)
            .filter(pk__in=[person_id for person_id, _printed in item.before["authors"]])
            .values_list("pk", flat=True)
        )
        authors = [
            (person_id, printed)
            for person_id, printed in item.before["authors"]
            if person_id in existing_people
        ]
        publication.authorships.all().delete()
        Authorship.objects.using(using).bulk_create(
            Authorship(
                publication=publication, person_id=person_id, position=position, as_printed=printed
            )
            for position, (person_id, printed) in enumerate(authors, start=1)
        )
        publication.keywords.set(
            Keyword.objects.using(using).filter(pk__in=item.before["keywords"])
        )
        restored.append(publication.pk)
    return restored


def _delete_unused_keywords(created_items, using):
    """Delete the keywords the import created that nothing uses now; how many."""
    deleted = 0
    for keyword in Keyword.objects.using(using).filter(
        pk__in=[item.object_id for item in created_items]
    ):
        in_use = any(
            getattr(keyword, relation.get_accessor_name()).exists()
            for relation in Keyword._meta.related_objects
            if not relation.hidden
        )
        if not in_use:
            keyword.delete(using=using)
            deleted += 1
    return deleted
