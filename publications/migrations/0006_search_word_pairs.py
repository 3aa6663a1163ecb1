"""Search documents gain pair lexemes: every two adjacent words (``~lattice~defects``).

A quoted two-word phrase is then decided by the index alone on PostgreSQL, and a
longer one starts from far fewer candidates (publications/search.py). The data step
recomputes every publication's document and search entry; documents written by the
code before it lack the pairs, and a phrase would not find them.
"""

from django.db import migrations

from publications import search


def rebuild_search_index(apps, schema_editor):
    search.rebuild(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0005_published_year_index"),
    ]

    operations = [
        # Backwards, the pairs stay: extra lexemes match nothing the old code asks for.
        migrations.RunPython(rebuild_search_index, migrations.RunPython.noop),
    ]
