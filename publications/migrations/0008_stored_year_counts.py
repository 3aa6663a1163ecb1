"""Per-year counts stored with the content revision they were computed at
(publications/counts.py), and the revision's one row."""

from django.db import migrations, models


def create_revision(apps, schema_editor):
    ContentRevision = apps.get_model("publications", "ContentRevision")
    ContentRevision.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0007_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "content revision",
                "verbose_name_plural": "content revisions",
            },
        ),
        migrations.CreateModel(
            name="StoredYearCounts",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=100, unique=True)),
                ("revision", models.BigIntegerField()),
                (
                    "counts",
                    models.TextField(help_text="JSON: [[year, papers], …] in ascending year"),
                ),
            ],
            options={
                "verbose_name": "stored per-year counts",
                "verbose_name_plural": "stored per-year counts",
            },
        ),
        migrations.RunPython(create_revision, migrations.RunPython.noop),
    ]
