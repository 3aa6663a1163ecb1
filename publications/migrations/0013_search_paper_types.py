"""Rebuild every search document: it now holds the words for the paper's type
(総説, review, 学位論文, thesis…), so a search for the kind of paper finds it. No
schema change."""

from django.db import migrations

from publications import search


def rebuild_search_index(apps, schema_editor):
    search.rebuild(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0012_keyword_broader"),
    ]

    operations = [
        migrations.RunPython(rebuild_search_index, migrations.RunPython.noop),
    ]
