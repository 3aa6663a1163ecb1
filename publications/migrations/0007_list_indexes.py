"""Indexes for list pages (docs/benchmarks.md).

- ``publication_newest_first``: published papers in the exact order of every list
  (year, month, id, newest first; a paper without a month after those with one),
  so that a page of 20 stops after 20 rows instead of sorting the year it starts
  in. In SQL: Django's Index cannot say NULLS LAST for PostgreSQL only (SQLite
  indexes refuse it; there NULLs sort last in descending order anyway).
- ``publication_keywords_by_keyword``: the keyword links by (keyword,
  publication), so that the papers of a set of keywords (a keyword page, a
  theme's related papers and their per-year counts) are read from this index
  alone. The links table is Django's own for the many-to-many field.
"""

from django.db import migrations

NEWEST_FIRST = "publication_newest_first"
LINKS_INDEX = "publication_keywords_by_keyword"


def create_indexes(apps, schema_editor):
    nulls_last = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {NEWEST_FIRST} ON publications_publication"
        f" (year DESC, month DESC{nulls_last}, id DESC) WHERE is_published"
    )
    schema_editor.execute(
        f"CREATE INDEX {LINKS_INDEX} ON publications_publication_keywords"
        " (keyword_id, publication_id)"
    )


def drop_indexes(apps, schema_editor):
    for name in (NEWEST_FIRST, LINKS_INDEX):
        schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0006_search_word_pairs"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
