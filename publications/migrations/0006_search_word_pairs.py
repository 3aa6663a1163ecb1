"""Search pairs and words: faster phrases and word prefixes (publications/search/).

Pairs: every two adjacent words of a document as one lexeme (``~lattice~defects``).

A quoted two-word phrase is then decided by an index alone on PostgreSQL, and a
longer one starts from far fewer candidates (publications/search/). The pairs
live in their own table (SearchPairs, GIN-indexed on PostgreSQL), not in the search
entries' vector, which a walk reads row by row: pairs there doubled its size and
slowed every broad search.

Words: every word of every document, so that a query's word prefix (``mach``) is
sent to GIN as the words it starts (``machine | machines``), which GIN answers far
faster than a prefix.

The data step recomputes every document, writing the entries and their pairs, and
fills the words.
"""

import django.db.models.deletion
from django.db import migrations, models

import publications.search
from publications import search


def create_pairs_index(apps, schema_editor):
    search.create_pairs_index(schema_editor)


def rebuild_search_index(apps, schema_editor):
    search.rebuild(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0005_published_year_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=64, primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name="SearchPairs",
            fields=[
                (
                    "publication",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_pairs",
                        serialize=False,
                        to="publications.publication",
                    ),
                ),
                ("vector", publications.search.VectorField()),
            ],
            options={
                "verbose_name_plural": "search pairs",
            },
        ),
        # Dropped with the table when migrating backwards.
        migrations.RunPython(create_pairs_index, migrations.RunPython.noop),
        migrations.RunPython(rebuild_search_index, migrations.RunPython.noop),
    ]
