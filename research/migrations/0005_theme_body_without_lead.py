"""A theme's body no longer repeats its lead, which its page shows just above it.

The lab's content (research/content/lab.toml) began every body with the lead;
databases loaded from it keep the rest of the body. Reversing changes nothing.
"""

from django.db import migrations


def strip_repeated_lead(apps, schema_editor):
    ResearchTheme = apps.get_model("research", "ResearchTheme")
    for theme in ResearchTheme.objects.all():
        changed = []
        for code in ("ja", "en"):
            lead = (getattr(theme, f"lead_{code}") or "").strip()
            body = (getattr(theme, f"body_{code}") or "").lstrip()
            if lead and body.startswith(lead):
                setattr(theme, f"body_{code}", body[len(lead) :].lstrip())
                changed.append(f"body_{code}")
        if changed:
            theme.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0004_members"),
    ]

    operations = [
        migrations.RunPython(strip_repeated_lead, migrations.RunPython.noop),
    ]
