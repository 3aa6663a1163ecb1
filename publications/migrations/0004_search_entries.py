"""Search entries: a narrow side table that searches count and sort on (publications/search/).

Each publication gets a SearchEntry copied from its stored search document. On
PostgreSQL the entries' GIN index replaces the one migration 0002 put on
publications_publication (and its cost wrapper), which searches no longer use.
"""

import django.db.models.deletion
from django.db import migrations, models

import publications.search
from publications import search


def fill_entries(apps, schema_editor):
    vector = (
        "search_tokens::tsvector"
        if schema_editor.connection.vendor == "postgresql"
        else ("search_tokens")
    )
    schema_editor.execute(
        "INSERT INTO publications_searchentry"
        " (publication_id, is_published, year, month, text, vector)"
        f" SELECT id, is_published, year, month, search_text, {vector}"
        " FROM publications_publication"
    )


def use_entry_index(apps, schema_editor):
    search.create_entry_index(schema_editor)
    search.drop_gin_index(schema_editor)


def use_publication_index(apps, schema_editor):
    search.create_gin_index(schema_editor)
    search.drop_entry_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0003_import_batches"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "publication",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="publications.publication",
                    ),
                ),
                ("is_published", models.BooleanField()),
                ("year", models.PositiveSmallIntegerField()),
                ("month", models.PositiveSmallIntegerField(null=True)),
                ("text", models.TextField()),
                ("vector", publications.search.VectorField()),
            ],
        ),
        migrations.RunPython(fill_entries, migrations.RunPython.noop),
        migrations.RunPython(use_entry_index, use_publication_index),
    ]
