"""Undated publications: ``year`` may be NULL (a manual, a dataset, a booklet).

Lists put undated papers last. SQLite sorts NULL last in a descending order
already; PostgreSQL sorts it first, so its two hand-made newest-first indexes
(0007's on publications, 0004's on search entries) are rebuilt with
``year DESC NULLS LAST`` to keep serving the lists' order.
"""

import django.core.validators
from django.db import migrations, models

# (index, table, columns before, columns after, condition)
INDEXES = [
    (
        "publication_newest_first",
        "publications_publication",
        "year DESC, month DESC NULLS LAST, id DESC",
        "year DESC NULLS LAST, month DESC NULLS LAST, id DESC",
        " WHERE is_published",
    ),
    (
        "search_entry_newest",
        "publications_searchentry",
        "year DESC, month DESC NULLS LAST, publication_id DESC",
        "year DESC NULLS LAST, month DESC NULLS LAST, publication_id DESC",
        "",
    ),
]


def rebuild(schema_editor, after):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, before_columns, after_columns, where in INDEXES:
        columns = after_columns if after else before_columns
        # SQL: Django's Index cannot say NULLS LAST for PostgreSQL only (see 0007).
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON {table} ({columns}){where}")


def nulls_last(apps, schema_editor):
    rebuild(schema_editor, after=True)


def nulls_first(apps, schema_editor):
    rebuild(schema_editor, after=False)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0013_search_paper_types"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="publication",
            options={
                "ordering": [
                    models.OrderBy(models.F("year"), descending=True, nulls_last=True),
                    "-pk",
                ],
                "verbose_name": "publication",
                "verbose_name_plural": "publications",
            },
        ),
        migrations.RemoveConstraint(
            model_name="publication",
            name="publication_year_plausible",
        ),
        migrations.AlterField(
            model_name="publication",
            name="year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1600),
                    django.core.validators.MaxValueValidator(2100),
                ],
                verbose_name="year",
            ),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="year",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("year__isnull", True),
                    models.Q(("year__gte", 1600), ("year__lte", 2100)),
                    _connector="OR",
                ),
                name="publication_year_plausible",
            ),
        ),
        migrations.RunPython(nulls_last, nulls_first),
    ]
