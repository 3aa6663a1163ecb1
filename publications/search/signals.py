"""Keeping search documents fresh: signal receivers, and refreshes deferred to a block's end.

The receivers (connected by ``connect_signals()``, from ``PublicationsConfig.ready``)
refresh the documents — and search entries — that a change touches: a publication
saved, its authorships, a person's names, name variants, keyword names, keywords
added to or removed from a paper from either side. Each change asks
``schedule(pks)``, which refreshes in bulk (publications/search/index.py): a few
queries per 500 papers, never a save per paper.

Inside ``deferred_refresh()`` (the content loader, the BibTeX import, a paper's
``set_authors``) the refreshes asked for are collected and run once, at the end of
the outermost block. Writes that bypass signals (``QuerySet.update()``,
``bulk_create``, raw SQL) must call ``schedule(pks)`` themselves, or run
``manage.py rebuild_search_index``.

A receiver that must compare a row with its stored state reads that state in
``pre_save`` and leaves it on the instance being saved (``_search_before``), or
the papers of a keyword about to be deleted or cleared (``_search_papers``).
"""

import threading
from contextlib import contextmanager

from django.apps import apps as global_apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .document import PERSON_FIELDS
from .index import refresh

# The models whose changes reach a search document.
MODELS = ("Publication", "Authorship", "Person", "NameVariant", "Keyword")

_state = threading.local()


def _pending():
    return getattr(_state, "pending", None)


@contextmanager
def deferred_refresh():
    """Inside the block, refreshes asked for by signals are collected and done once at the end.

    Nested blocks refresh when the outermost one ends; nothing is refreshed when the
    block raises (its transaction is expected to roll back).
    """
    outer = _pending() is None
    if outer:
        _state.pending = {}
    try:
        yield
        if outer:
            while _state.pending:
                using, pks = _state.pending.popitem()
                refresh(pks, using)
    finally:
        if outer:
            _state.pending = None


def schedule(pks, using="default"):
    """Refresh these publications now, or at the end of the enclosing ``deferred_refresh``."""
    pks = set(pks) - _deleting(using)
    if not pks:
        return
    pending = _pending()
    if pending is None:
        refresh(pks, using)
    else:
        pending.setdefault(using, set()).update(pks)


def _deleting(using):
    return getattr(_state, "deleting", {}).get(using, set())


def _papers_of_person(person_id, using):
    Authorship = global_apps.get_model("publications", "Authorship")
    return (
        Authorship._base_manager.using(using)
        .filter(person_id=person_id)
        .values_list("publication_id", flat=True)
    )


def _papers_of_keyword(keyword_id, using):
    links = global_apps.get_model("publications", "Publication").keywords.through
    return (
        links._base_manager.using(using)
        .filter(keyword_id=keyword_id)
        .values_list("publication_id", flat=True)
    )


def _snapshot(instance, using, fields):
    """The row's stored values of `fields` before a save (None for a new row)."""
    if instance.pk is None:
        return None
    return type(instance)._base_manager.using(using).filter(pk=instance.pk).values(*fields).first()


def _changed(instance, before, fields):
    return before is None or any(before[f] != getattr(instance, f) for f in fields)


_KEYWORD_FIELDS = ("name_ja", "name_en")


def _publication_saved(sender, instance, using, **kwargs):
    schedule([instance.pk], using)


def _publication_deleting(sender, instance, using, **kwargs):
    _state.deleting = getattr(_state, "deleting", {})
    _state.deleting.setdefault(using, set()).add(instance.pk)


def _publication_deleted(sender, instance, using, **kwargs):
    _deleting(using).discard(instance.pk)


def _authorship_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, ["publication_id"])


def _authorship_saved(sender, instance, using, **kwargs):
    before = getattr(instance, "_search_before", None)
    schedule({instance.publication_id, before and before["publication_id"]} - {None}, using)


def _authorship_deleted(sender, instance, using, **kwargs):
    schedule([instance.publication_id], using)


def _person_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, PERSON_FIELDS)


def _person_saved(sender, instance, using, created, **kwargs):
    before = getattr(instance, "_search_before", None)
    if not created and _changed(instance, before, PERSON_FIELDS):
        schedule(_papers_of_person(instance.pk, using), using)


def _variant_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, ["person_id", "name"])


def _variant_saved(sender, instance, using, **kwargs):
    before = getattr(instance, "_search_before", None)
    if not _changed(instance, before, ["person_id", "name"]):
        return
    people = {instance.person_id, before and before["person_id"]} - {None}
    schedule([pk for person in people for pk in _papers_of_person(person, using)], using)


def _variant_deleted(sender, instance, using, **kwargs):
    schedule(_papers_of_person(instance.person_id, using), using)


def _keyword_saving(sender, instance, using, **kwargs):
    instance._search_before = _snapshot(instance, using, _KEYWORD_FIELDS)


def _keyword_saved(sender, instance, using, created, **kwargs):
    before = getattr(instance, "_search_before", None)
    if not created and _changed(instance, before, _KEYWORD_FIELDS):
        schedule(_papers_of_keyword(instance.pk, using), using)


def _keyword_deleting(sender, instance, using, **kwargs):
    instance._search_papers = list(_papers_of_keyword(instance.pk, using))


def _keyword_deleted(sender, instance, using, **kwargs):
    schedule(getattr(instance, "_search_papers", []), using)


def _keywords_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """Publication.keywords changed, from either side (paper.keywords / keyword.publications)."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            schedule([instance.pk], using)
    elif action == "pre_clear":
        instance._search_papers = list(_papers_of_keyword(instance.pk, using))
    elif action == "post_clear":
        schedule(getattr(instance, "_search_papers", []), using)
    elif action in ("post_add", "post_remove"):
        schedule(pk_set or [], using)


def connect_signals():
    """Connect the receivers that keep search documents fresh (called from AppConfig.ready)."""
    model = {name: global_apps.get_model("publications", name) for name in MODELS}
    Publication, Authorship, Person = model["Publication"], model["Authorship"], model["Person"]
    NameVariant, Keyword = model["NameVariant"], model["Keyword"]
    receivers = [
        (post_save, Publication, _publication_saved),
        (pre_delete, Publication, _publication_deleting),
        (post_delete, Publication, _publication_deleted),
        (pre_save, Authorship, _authorship_saving),
        (post_save, Authorship, _authorship_saved),
        (post_delete, Authorship, _authorship_deleted),
        (pre_save, Person, _person_saving),
        (post_save, Person, _person_saved),
        (pre_save, NameVariant, _variant_saving),
        (post_save, NameVariant, _variant_saved),
        (post_delete, NameVariant, _variant_deleted),
        (pre_save, Keyword, _keyword_saving),
        (post_save, Keyword, _keyword_saved),
        (pre_delete, Keyword, _keyword_deleting),
        (post_delete, Keyword, _keyword_deleted),
        (m2m_changed, Publication.keywords.through, _keywords_changed),
    ]
    for signal, sender, receiver in receivers:
        signal.connect(receiver, sender=sender, dispatch_uid=f"search:{receiver.__name__}")
