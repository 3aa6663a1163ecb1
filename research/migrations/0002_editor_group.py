"""Create the "Editor" group: staff who edit all content but not users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from research.editors import CONTENT_APPS, EDITOR_GROUP, sync_editor_group


def create_editor_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        if app_config.label in CONTENT_APPS:
            app_config.models_module = True
            create_permissions(app_config, verbosity=0)
            app_config.models_module = None
    sync_editor_group(apps)


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0001_initial"),
        ("publications", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
