"""The search index in the database: the ``tsvector`` field and the PostgreSQL indexes.

The migrations call these helpers (0002, 0004, 0006); ``bench/load.py`` recreates the
entries' indexes on a kept database. Every helper does nothing on other databases:
SQLite searches with ``LIKE`` on the entries' text and needs no index.

The indexes are written as SQL because Django has no way to say "PostgreSQL only"
for an index: one declared in a model's ``Meta`` is created on every database, and
a ``GinIndex`` fails on SQLite, where the vector is plain text. Migration 0002's
index is moreover on a function that Django cannot define.
"""

from django.db import models

GIN_INDEX_NAME = "publication_search_tokens_gin"
# search_tokens as a tsvector, costed honestly (see create_gin_index); migration 0002.
VECTOR_FUNCTION = "labsite_search_vector"
# Since migration 0004 (which drops the two above): the entries' index.
ENTRY_INDEX_NAME = "search_entry_vector_gin"
# The entries newest first (year, month with no month last, pk; undated papers last),
# for walking a broad search's matches in the order the list shows them.
NEWEST_INDEX_NAME = "search_entry_newest"
# Since migration 0006: the word pairs' index.
PAIRS_INDEX_NAME = "search_pairs_vector_gin"


class VectorField(models.TextField):
    """A document's lexemes: a ``tsvector`` on PostgreSQL, their text elsewhere (unused)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)

    def deconstruct(self):
        # The path migrations import it by, whichever module defines it.
        name, _path, args, kwargs = super().deconstruct()
        return name, "publications.search.VectorField", args, kwargs


def _on_postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def create_gin_index(schema_editor):
    """PostgreSQL: migration 0002's index of ``search_tokens`` (dropped by 0004).

    The GIN index is on ``labsite_search_vector(search_tokens)``: the cast
    ``search_tokens::tsvector`` wrapped in a function that tells the planner what
    it costs. The bare cast is costed like an addition, so for broad searches the
    planner chose a sequential scan that parsed every row's text over the index
    (docs/search.md). A PL/pgSQL body keeps the function from being inlined back
    into the cheap-looking cast.
    """
    if not _on_postgresql(schema_editor):
        return
    # SQL: Django has no expression for a function definition.
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {VECTOR_FUNCTION}(tokens text) RETURNS tsvector"
        " LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 100"
        " AS $$ BEGIN RETURN tokens::tsvector; END $$"
    )
    # SQL: an index on that function, PostgreSQL only (a Meta index would reach SQLite).
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {GIN_INDEX_NAME} ON publications_publication "
        f"USING gin ({VECTOR_FUNCTION}(search_tokens))"
    )


def drop_gin_index(schema_editor):
    if _on_postgresql(schema_editor):
        # SQL: the index and function that create_gin_index made by hand.
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX_NAME}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {VECTOR_FUNCTION}(text)")


def create_entry_index(schema_editor):
    """PostgreSQL: the search entries' indexes (migration 0004): GIN, newest first.

    They replace the index of ``create_gin_index`` (which 0004 drops): the entries'
    ``vector`` is a real ``tsvector`` column, so matching a row reads it as stored
    instead of parsing text, and no cost wrapper is needed.
    """
    if _on_postgresql(schema_editor):
        # SQL: a GIN index on a tsvector column, which SQLite does not have.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {ENTRY_INDEX_NAME} ON publications_searchentry "
            "USING gin (vector)"
        )
        # SQL: PostgreSQL only like its GIN sibling, which it serves (the walk of a
        # broad search); SQLite scans its entries whatever the order.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NEWEST_INDEX_NAME} ON publications_searchentry "
            "(year DESC NULLS LAST, month DESC NULLS LAST, publication_id DESC)"
        )


def drop_entry_index(schema_editor):
    if _on_postgresql(schema_editor):
        # SQL: the indexes that create_entry_index made by hand.
        schema_editor.execute(f"DROP INDEX IF EXISTS {ENTRY_INDEX_NAME}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEWEST_INDEX_NAME}")


def create_pairs_index(schema_editor):
    """PostgreSQL: the GIN index of the word pairs (migration 0006)."""
    if _on_postgresql(schema_editor):
        # SQL: a GIN index on a tsvector column, which SQLite does not have.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {PAIRS_INDEX_NAME} ON publications_searchpairs "
            "USING gin (vector)"
        )
