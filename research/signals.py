"""A theme image's files leave the disk with it: when the image is replaced or cleared,
or its theme deleted, the old file and its renditions are deleted — once the
transaction commits (a rolled-back change still has its image), and only when no
other theme uses the same file."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import ResearchTheme
from .renditions import rendition_names


@receiver(pre_save, sender=ResearchTheme)
def _remember_stored_image(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._stored_image = (
        sender.objects.filter(pk=instance.pk).values_list("image", flat=True).first() or ""
    )


@receiver(post_save, sender=ResearchTheme)
def _delete_replaced_image(sender, instance, raw=False, **kwargs):
    stored = getattr(instance, "_stored_image", "")
    instance._stored_image = instance.image.name or ""
    if stored and stored != instance.image.name:
        delete_on_commit(instance.image.storage, stored)


@receiver(post_delete, sender=ResearchTheme)
def _delete_image_of_deleted_theme(sender, instance, **kwargs):
    if instance.image:
        delete_on_commit(instance.image.storage, instance.image.name)


def delete_on_commit(storage, name):
    """Delete the image file `name` and its renditions after the commit, if unused then."""
    try:
        size = storage.size(name)  # renditions are named after it: read it while it is there
    except OSError:
        size = None

    def delete():
        if ResearchTheme.objects.filter(image=name).exists():
            return
        storage.delete(name)
        if size is not None:
            for rendition in rendition_names(name, size):
                storage.delete(rendition)

    transaction.on_commit(delete)
