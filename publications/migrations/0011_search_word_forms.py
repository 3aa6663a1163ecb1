"""Rebuild every search document: accents now fold (Rühle = Ruhle) and each document
marks where its head (titles, keyword names) ends, which relevance ranking reads
(docs/search.md). No schema change."""

from django.db import migrations

from publications import search


def rebuild_search_index(apps, schema_editor):
    search.rebuild(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0010_vocabulary_and_years"),
    ]

    operations = [
        migrations.RunPython(rebuild_search_index, migrations.RunPython.noop),
    ]
