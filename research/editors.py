"""The "Editor" group: staff who edit all content but not users or groups.

The group is created by a data migration; after every `migrate` it is granted
every permission of the content apps, so models added later are editable too.
"""

EDITOR_GROUP = "Editor"
CONTENT_APPS = ("publications", "research", "achievements", "news")


def sync_editor_group(apps=None):
    """Create the Editor group (if needed) with every permission of the content apps."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=CONTENT_APPS))
    return group


def grant_editor_permissions(sender, **kwargs):
    sync_editor_group()
