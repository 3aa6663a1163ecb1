"""An image's files leave the disk with it: when a theme's image or a member's photo is
replaced or cleared, or its theme or member deleted, the old file and its renditions
are deleted — once the transaction commits (a rolled-back change still has its
image), and only when no other row uses the same file."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from .models import Member, ResearchTheme
from .renditions import rendition_names

IMAGE_FIELDS = {ResearchTheme: "image", Member: "photo"}


def _remember_stored_image(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    field = IMAGE_FIELDS[sender]
    instance._stored_image = (
        sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first() or ""
    )


def _delete_replaced_image(sender, instance, raw=False, **kwargs):
    image = getattr(instance, IMAGE_FIELDS[sender])
    stored = getattr(instance, "_stored_image", "")
    instance._stored_image = image.name or ""
    if stored and stored != image.name:
        delete_on_commit(image.storage, stored)


def _delete_image_of_deleted_row(sender, instance, **kwargs):
    image = getattr(instance, IMAGE_FIELDS[sender])
    if image:
        delete_on_commit(image.storage, image.name)


for _model in IMAGE_FIELDS:
    pre_save.connect(_remember_stored_image, sender=_model)
    post_save.connect(_delete_replaced_image, sender=_model)
    post_delete.connect(_delete_image_of_deleted_row, sender=_model)


def delete_on_commit(storage, name):
    """Delete the image file `name` and its renditions after the commit, if unused then."""
    try:
        size = storage.size(name)  # renditions are named after it: read it while it is there
    except OSError:
        size = None

    def delete():
        if any(
            model.objects.filter(**{field: name}).exists() for model, field in IMAGE_FIELDS.items()
        ):
            return
        storage.delete(name)
        if size is not None:
            for rendition in rendition_names(name, size):
                storage.delete(rendition)

    transaction.on_commit(delete)
