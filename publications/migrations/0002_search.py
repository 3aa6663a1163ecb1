"""Search: the publication's search document, keywords' normalised names, the GIN index.

The data step fills the document of every existing publication (publications/search/);
the GIN index on search_tokens::tsvector is created on PostgreSQL only.
"""

from django.db import migrations, models

from publications import search


def fill_search_index(apps, schema_editor):
    search.rebuild(using=schema_editor.connection.alias, apps=apps)


def create_gin_index(apps, schema_editor):
    search.create_gin_index(schema_editor)


def drop_gin_index(apps, schema_editor):
    search.drop_gin_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="keyword",
            name="name_key_en",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=300,
                verbose_name="normalised English name",
            ),
        ),
        migrations.AddField(
            model_name="keyword",
            name="name_key_ja",
            field=models.CharField(
                blank=True,
                db_index=True,
                editable=False,
                max_length=300,
                verbose_name="normalised Japanese name",
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="search_tokens",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search tokens"
            ),
        ),
        migrations.RunPython(fill_search_index, migrations.RunPython.noop),
        migrations.RunPython(create_gin_index, drop_gin_index),
    ]
