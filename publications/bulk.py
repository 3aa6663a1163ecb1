"""Bulk edits over papers selected in the admin's list, and their undo.

`apply(action, papers, target)` changes the selected papers and records, in an
EditBatch, each paper it changed with the state before and after; a paper already
in the asked state is not recorded (nothing to undo there). `undo(batch)` puts
back the state before, paper by paper, only where the paper still reads as the
edit left it: a change made since by someone else (the keyword removed by hand, the
paper unpublished again) is kept, as an import's undo keeps later edits
(publications/bibtex/undo.py). Every changed paper's `updated_at` moves, so that
undoing an earlier import keeps the papers a bulk edit touched since.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import freshness, search
from .models import EditBatch, EditItem, Keyword, Publication

Action = EditBatch.Action
# Actions that set a field of the paper: the field and its new value.
FIELD_ACTIONS = {
    Action.PUBLISH: ("is_published", True),
    Action.UNPUBLISH: ("is_published", False),
    Action.PEER_REVIEWED: ("peer_reviewed", True),
    Action.NOT_PEER_REVIEWED: ("peer_reviewed", False),
}
KEYWORD_ACTIONS = {Action.ADD_KEYWORD: True, Action.REMOVE_KEYWORD: False}
THEME_ACTIONS = {Action.ADD_THEME: True, Action.REMOVE_THEME: False}
CHUNK = 500  # SQLite caps a query's parameters


class BulkEditError(Exception):
    """The edit or its undo cannot be done; the message says why (shown to the editor)."""


def _chunks(pks):
    pks = list(pks)
    for start in range(0, len(pks), CHUNK):
        yield pks[start : start + CHUNK]


def _theme_model():
    # The research app builds on this one; read its model when an edit needs it.
    from research.models import RepresentativePublication, ResearchTheme

    return ResearchTheme, RepresentativePublication


def target_model(action):
    """The model of the thing the action names (Keyword, ResearchTheme), or None."""
    if action in KEYWORD_ACTIONS:
        return Keyword
    if action in THEME_ACTIONS:
        return _theme_model()[0]
    return None


def apply(action, papers, target=None, user=None):
    """Do `action` to the papers of the queryset `papers`; return the EditBatch."""
    action = Action(action)
    if target_model(action) is not None and target is None:
        raise BulkEditError(_("Choose the keyword or theme."))
    with transaction.atomic(), search.deferred_refresh():
        pks = list(papers.order_by().values_list("pk", flat=True).distinct())
        batch = EditBatch.objects.create(
            action=action,
            target_id=target.pk if target is not None else None,
            target_label=str(target)[:300] if target is not None else "",
            created_by=user if user is not None and user.is_authenticated else None,
            selected_count=len(pks),
        )
        if action in FIELD_ACTIONS:
            items = _apply_field(batch, pks, *FIELD_ACTIONS[action])
        elif action in KEYWORD_ACTIONS:
            items = _apply_keyword(batch, pks, target, KEYWORD_ACTIONS[action])
        else:
            items = _apply_theme(batch, pks, target, THEME_ACTIONS[action])
        EditItem.objects.bulk_create(items)
        batch.changed_count = len(items)
        batch.save(update_fields=["changed_count"])
        _touched([item.publication_id for item in items])
    return batch


def _touched(pks):
    now = timezone.now()
    for chunk in _chunks(pks):
        Publication.objects.filter(pk__in=chunk).update(updated_at=now)
    search.schedule(pks)
    freshness.content_changed()


def _apply_field(batch, pks, name, value):
    before = {}  # pk → the value it had (peer_reviewed may also be None: not recorded)
    for chunk in _chunks(pks):
        # exclude() would leave out the NULLs (NULL <> value is not true in SQL).
        rows = Publication.objects.filter(pk__in=chunk).values_list("pk", name)
        found = {pk: old for pk, old in rows if old != value}
        Publication.objects.filter(pk__in=list(found)).update(**{name: value})
        before.update(found)
    return [
        EditItem(batch=batch, publication_id=pk, before={name: old}, after={name: value})
        for pk, old in sorted(before.items())
    ]


def _keyword_links(keyword_id, pks):
    """The papers among `pks` that carry the keyword."""
    Link = Publication.keywords.through
    found = set()
    for chunk in _chunks(pks):
        found.update(
            Link.objects.filter(keyword_id=keyword_id, publication_id__in=chunk).values_list(
                "publication_id", flat=True
            )
        )
    return found


def _set_keyword(keyword_id, pks, has):
    Link = Publication.keywords.through
    if has:
        Link.objects.bulk_create(
            [Link(keyword_id=keyword_id, publication_id=pk) for pk in pks], ignore_conflicts=True
        )
    else:
        for chunk in _chunks(pks):
            Link.objects.filter(keyword_id=keyword_id, publication_id__in=chunk).delete()


def _apply_keyword(batch, pks, keyword, add):
    have = _keyword_links(keyword.pk, pks)
    changed = sorted(pk for pk in pks if (pk in have) != add)
    _set_keyword(keyword.pk, changed, add)
    return [
        EditItem(batch=batch, publication_id=pk, before={"has": not add}, after={"has": add})
        for pk in changed
    ]


def _representatives(theme_id, pks):
    """{paper id: order} of the papers among `pks` representing the theme."""
    RepresentativePublication = _theme_model()[1]
    found = {}
    for chunk in _chunks(pks):
        found.update(
            RepresentativePublication.objects.filter(
                theme_id=theme_id, publication_id__in=chunk
            ).values_list("publication_id", "order")
        )
    return found


def _apply_theme(batch, pks, theme, add):
    RepresentativePublication = _theme_model()[1]
    present = _representatives(theme.pk, pks)
    if not add:
        for chunk in _chunks(list(present)):
            RepresentativePublication.objects.filter(theme=theme, publication_id__in=chunk).delete()
        return [
            EditItem(
                batch=batch,
                publication_id=pk,
                before={"has": True, "order": order},
                after={"has": False},
            )
            for pk, order in sorted(present.items())
        ]
    # New representatives come after the editors' own, in the list's order (newest first).
    last = theme.representatives.aggregate(last=Max("order"))["last"]
    start = 0 if last is None else last + 1
    new = [pk for pk in pks if pk not in present]
    ordered = []
    for chunk in _chunks(new):
        ordered += list(Publication.objects.filter(pk__in=chunk))
    ordered.sort(key=lambda paper: (-(paper.year or 0), -paper.pk))
    rows = [
        RepresentativePublication(theme=theme, publication=paper, order=min(start + n, 32767))
        for n, paper in enumerate(ordered)
    ]
    RepresentativePublication.objects.bulk_create(rows)
    return [
        EditItem(
            batch=batch,
            publication_id=row.publication.pk,
            before={"has": False},
            after={"has": True, "order": row.order},
        )
        for row in rows
    ]


@dataclass
class UndoSummary:
    restored: int = 0
    kept: int = 0  # papers changed again since the edit: left as they are now
    gone: bool = False  # the keyword or theme was deleted since: nothing to put back

    def __str__(self):
        if self.gone:
            return _(
                "The keyword or theme of this edit was deleted since; there is nothing to put back."
            )
        text = _("%(restored)d papers restored to their state before the edit") % {
            "restored": self.restored
        }
        if self.kept:
            text += _("; %(kept)d papers kept as they are, because they were changed since") % {
                "kept": self.kept
            }
        return text


def undo(batch, user=None):
    """Put the papers the edit changed back as they were, except later changes."""
    with transaction.atomic(), search.deferred_refresh():
        batch = EditBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == EditBatch.Status.UNDONE:
            raise BulkEditError(_("This bulk edit was already undone."))
        items = list(batch.items.all())
        summary = UndoSummary()
        action = Action(batch.action)
        model = target_model(action)
        if model is not None and not model.objects.filter(pk=batch.target_id).exists():
            summary.gone = True
            restore = []
        elif action in FIELD_ACTIONS:
            restore = _undo_field(items, FIELD_ACTIONS[action][0])
        elif action in KEYWORD_ACTIONS:
            restore = _undo_keyword(batch, items)
        else:
            restore = _undo_theme(batch, items)
        summary.restored = len(restore)
        summary.kept = len(items) - len(restore) if not summary.gone else 0
        batch.status = EditBatch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.undone_by = user if user is not None and user.is_authenticated else None
        batch.save(update_fields=["status", "undone_at", "undone_by"])
        _touched(restore)
    return summary


def _undo_field(items, name):
    """Items whose paper still has the value the edit gave it go back; returns their pks."""
    now = {}
    for chunk in _chunks([item.publication_id for item in items]):
        now.update(Publication.objects.filter(pk__in=chunk).values_list("pk", name))
    restore = [item for item in items if now.get(item.publication_id) == item.after[name]]
    for value in {item.before[name] for item in restore}:
        pks = [item.publication_id for item in restore if item.before[name] == value]
        for chunk in _chunks(pks):
            Publication.objects.filter(pk__in=chunk).update(**{name: value})
    return [item.publication_id for item in restore]


def _undo_keyword(batch, items):
    have = _keyword_links(batch.target_id, [item.publication_id for item in items])
    restore = [
        item.publication_id for item in items if (item.publication_id in have) == item.after["has"]
    ]
    added = batch.action == Action.ADD_KEYWORD
    _set_keyword(batch.target_id, restore, not added)
    return restore


def _undo_theme(batch, items):
    RepresentativePublication = _theme_model()[1]
    present = _representatives(batch.target_id, [item.publication_id for item in items])
    restore = [item for item in items if (item.publication_id in present) == item.after["has"]]
    pks = [item.publication_id for item in restore]
    if batch.action == Action.ADD_THEME:
        for chunk in _chunks(pks):
            RepresentativePublication.objects.filter(
                theme_id=batch.target_id, publication_id__in=chunk
            ).delete()
    else:
        RepresentativePublication.objects.bulk_create(
            RepresentativePublication(
                theme_id=batch.target_id,
                publication_id=item.publication_id,
                order=item.before["order"],
            )
            for item in restore
        )
    return pks
