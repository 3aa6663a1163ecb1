"""Drop the stored per-year counts and the content revision they were checked
against: derived values are cached under the content version instead
(publications/freshness.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0008_stored_year_counts"),
    ]

    operations = [
        migrations.DeleteModel(name="ContentRevision"),
        migrations.DeleteModel(name="StoredYearCounts"),
    ]
