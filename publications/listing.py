"""How list pages read their papers: the columns an item shows, made into instances cheaply.

A list page shows 20 papers (the theme page up to 40) with 3–8 authors each. Read
the usual way — model instances with their authorships prefetched and their
people joined — that is some 250 instances through `Model.__init__`,
modeltranslation's constructor and the per-instance signals, which was a third
of an uncached list page (docs/benchmarks.md). Here a list reads two row sets —
the papers' list columns and their authors with the people's names — and makes
each row an instance by setting its attributes, without `__init__`.

The instances are ordinary model instances: their methods, translated fields
(modeltranslation reads `title_ja` / `title_en`), `get_absolute_url()` and
`ordered_authorships` work as usual; a column a list does not read (an abstract)
is loaded on first access, as for a deferred field. They are for showing; they
are not meant to be saved.
"""

import functools

from django.db import connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.query import BaseIterable, ModelIterable

# What a list item shows (publications/rendering.py), and what a list page reads
# from its papers besides (their year for the year headings, their pk).
PUBLICATION_COLUMNS = (
    "id", "slug", "title_ja", "title_en", "authors_truncated", "venue", "volume", "issue",
    "pages", "article_number", "year", "month", "type", "status", "note_ja", "note_en",
    "doi", "is_published",
)  # fmt: skip
AUTHORSHIP_COLUMNS = ("id", "publication_id", "person_id", "position", "as_printed")
PERSON_COLUMNS = (
    "slug",
    "family_name_ja",
    "given_name_ja",
    "family_name_en",
    "given_name_en",
    "is_lab_member",
)


def instance(model: type[Model], values: dict, using: str) -> Model:
    """A model instance with these column values, as if read from database `using`."""
    obj = model.__new__(model)
    obj.__dict__.update(values)
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = using
    return obj


def lean(queryset, *columns):
    """The rows of `queryset` as instances with only these columns (see `instance`).

    For list items and the choices of a form: no `__init__`, no signals.
    """
    model, using = queryset.model, queryset.db
    # rewrite(False): the column names are the real ones (modeltranslation would
    # otherwise add fallback columns and its own value iterator).
    rows = queryset.rewrite(False).values_list(*columns)
    return [instance(model, dict(zip(columns, row, strict=True)), using) for row in rows]


def attach_authors(publications, using):
    """Give each paper its authorships in order (`ordered_authorships`), people included.

    One query, whatever the number of papers and authors. It is written as SQL
    (`_authors_sql`) rather than through the ORM: every list page runs it, and
    building and compiling the queryset, then reading its rows through the ORM's
    values iterator, cost more than twice what PostgreSQL takes to answer it
    (docs/benchmarks.md, the round of 2026-12-02, night).
    """
    if not publications:
        return publications
    from .models import Authorship, Person

    by_pk = {p.pk: [] for p in publications}
    people = {}
    split = len(AUTHORSHIP_COLUMNS)
    connection = connections[using]
    with connection.cursor() as cursor:
        head, tail = _authors_sql(using)
        cursor.execute(f"{head}{', '.join(['%s'] * len(by_pk))}{tail}", list(by_pk))
        rows = cursor.fetchall()
    for row in rows:
        person_id = row[2]
        values = dict(zip(AUTHORSHIP_COLUMNS, row[:split], strict=True))
        authorship = instance(Authorship, values, using)
        person = people.get(person_id)
        if person is None:
            values = dict(zip(PERSON_COLUMNS, row[split:], strict=True), id=person_id)
            person = people[person_id] = instance(Person, values, using)
        authorship._state.fields_cache["person"] = person
        by_pk[row[1]].append(authorship)
    for publication in publications:
        publication.__dict__["listed_authorships"] = by_pk[publication.pk]
    return publications


@functools.cache
def _authors_sql(using):
    """The SQL that reads papers' authorships with their people, in order, around its IN list.

    (head, tail): the caller puts one %s per paper between them. The columns are
    AUTHORSHIP_COLUMNS then PERSON_COLUMNS; the names come from the models' _meta,
    quoted for database `using`.
    """
    from .models import Authorship, Person

    quote = connections[using].ops.quote_name
    authorship, person = Authorship._meta, Person._meta
    a, p = quote(authorship.db_table), quote(person.db_table)

    def column(meta, table, attname):
        return f"{table}.{quote(meta.get_field(attname.removesuffix('_id')).column)}"

    selected = [column(authorship, a, name) for name in AUTHORSHIP_COLUMNS]
    selected += [column(person, p, name) for name in PERSON_COLUMNS]
    publication = column(authorship, a, "publication_id")
    head = (
        f"SELECT {', '.join(selected)} FROM {a}"
        f" INNER JOIN {p} ON {column(authorship, a, 'person_id')} = {column(person, p, 'id')}"
        f" WHERE {publication} IN ("
    )
    return head, f") ORDER BY {publication}, {column(authorship, a, 'position')}"


class ListRowsIterable(BaseIterable):
    """Papers of a queryset as list items: their list columns and annotations.

    Their authors are for the caller to attach (`attach_authors`), e.g. once for
    two lists of one page.
    """

    def papers(self):
        queryset = self.queryset
        return lean(queryset, *PUBLICATION_COLUMNS, *queryset.query.annotation_select)

    def __iter__(self):
        yield from self.papers()


class ListIterable(ListRowsIterable):
    """Papers of a queryset as list items, with their authors."""

    def __iter__(self):
        yield from attach_authors(self.papers(), self.queryset.db)


class WithAuthorsIterable(ModelIterable):
    """Whole papers (model instances) with their authors attached as `attach_authors` does."""

    def __iter__(self):
        yield from attach_authors(list(super().__iter__()), self.queryset.db)
