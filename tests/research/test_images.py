"""Theme images, bounded: an upload of too many pixels is refused with its size (both
languages), a page never decodes such an image, and a replaced or deleted image leaves
the disk with its renditions once the change commits (docs/limits.md)."""

import io
import re
import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from PIL import Image

from research import renditions
from research.models import Member, ResearchTheme
from tests import factories

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/research/researchtheme/add/"


def png(width, height):
    """A real PNG of this size (small sizes only: it is drawn)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def png_header(width, height):
    """A PNG file that *says* it is width × height (a decompression bomb's header) with
    no pixel data: cheap to make, enough for anything that reads the size."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def add_theme(client, image, lang="en"):
    data = {
        "title_ja": "格子欠陥", "title_en": "Defects", "slug": "defects", "lead_ja": "",
        "lead_en": "", "body_ja": "", "body_en": "", "image_alt_ja": "図", "image_alt_en": "",
        "order": 1, "is_published": "on", "image": image,
        "representatives-TOTAL_FORMS": 0, "representatives-INITIAL_FORMS": 0,
        "representatives-MIN_NUM_FORMS": 0, "representatives-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    return client.post(ADD_URL, data, HTTP_ACCEPT_LANGUAGE=lang)


@override_settings(LABSITE_MAX_IMAGE_PIXELS=10_000)
def test_an_image_of_the_limit_is_accepted(editor_client):
    response = add_theme(editor_client, SimpleUploadedFile("at.png", png(100, 100)))
    assert response.status_code == 302
    assert ResearchTheme.objects.get().image.name.startswith("themes/at")


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "The image is too large: 101 × 100 pixels; at most 10,000 pixels"),
        ("ja", "画像が大きすぎます：101 × 100 ピクセル。上限は 10,000 ピクセルです"),
    ],
)
@override_settings(LABSITE_MAX_IMAGE_PIXELS=10_000)
def test_one_pixel_row_more_is_refused_with_its_size(editor_client, lang, message):
    response = add_theme(editor_client, SimpleUploadedFile("past.png", png(101, 100)), lang)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ResearchTheme.objects.exists()


def test_a_10000_by_10000_png_is_refused_with_its_size_not_opened(editor_client, monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("Pillow opened an image over the limit")

    monkeypatch.setattr(Image, "open", no_decoding)
    response = add_theme(editor_client, SimpleUploadedFile("bomb.png", png_header(10_000, 10_000)))
    assert response.status_code == 200
    assert "too large: 10,000 × 10,000 pixels; at most 25,000,000" in response.content.decode()
    assert not ResearchTheme.objects.exists()


def test_a_stored_image_over_the_limit_is_never_decoded_by_a_page(client, monkeypatch):
    theme = factories.theme(image_alt_en="x")
    theme.image.save("bomb.png", ContentFile(png_header(10_000, 10_000)))  # stored before
    monkeypatch.setattr(
        renditions.Image, "open", lambda *a, **k: pytest.fail("a page decoded the image")
    )
    for url in (f"/en/research/{theme.slug}/", "/en/research/", "/en/"):
        html = client.get(url).content.decode()
        assert '<svg class="theme-image generated"' in html  # the generated visual instead
    names = renditions.rendition_names(theme.image.name, theme.image.size)
    assert not any(default_storage.exists(name) for name in names)


@pytest.mark.parametrize(("size", "made"), [((100, 100), True), ((101, 100), False)])
@override_settings(LABSITE_MAX_IMAGE_PIXELS=10_000)
def test_a_page_renders_an_image_up_to_the_limit(size, made):
    theme = factories.theme(image_alt_en="x")
    theme.image.save("t.png", ContentFile(png(*size)))
    assert (renditions.rendition(theme.image, "card") is not None) is made


def theme_with_rendition():
    theme = factories.theme(image_alt_en="x")
    theme.image.save("old.png", ContentFile(png(800, 400)))
    made = [renditions.rendition(theme.image, slot) for slot in renditions.SLOTS]
    files = [theme.image.name, *(re.sub(r"^.*?/media/", "", r.url) for r in made)]
    assert all(default_storage.exists(name) for name in files), files
    return theme, files


def test_a_replaced_image_and_its_renditions_leave_the_disk_after_the_commit(
    django_capture_on_commit_callbacks,
):
    theme, old_files = theme_with_rendition()
    with django_capture_on_commit_callbacks(execute=True):
        theme.image.save("new.png", ContentFile(png(60, 30)))
        assert all(default_storage.exists(name) for name in old_files)  # not before the commit
    assert not any(default_storage.exists(name) for name in old_files)
    assert default_storage.exists(ResearchTheme.objects.get().image.name)


def test_a_deleted_theme_takes_its_image_with_it(django_capture_on_commit_callbacks):
    theme, files = theme_with_rendition()
    with django_capture_on_commit_callbacks(execute=True):
        theme.delete()
    assert not any(default_storage.exists(name) for name in files)


def test_a_rolled_back_replacement_keeps_the_image(django_capture_on_commit_callbacks):
    theme, files = theme_with_rendition()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        theme.image.save("new.png", ContentFile(png(60, 30)))
        raise RuntimeError
    assert all(default_storage.exists(name) for name in files)


def test_an_image_another_theme_still_uses_stays(django_capture_on_commit_callbacks):
    theme, files = theme_with_rendition()
    factories.theme(image=theme.image.name, image_alt_en="same file")
    with django_capture_on_commit_callbacks(execute=True):
        theme.delete()
    assert default_storage.exists(files[0])


# ------------------------------------------------------------ members' photos: the same


def add_member(client, photo):
    data = {
        "family_name_ja": "山田", "given_name_ja": "花子", "family_name_en": "Yamada",
        "given_name_en": "Hanako", "reading": "", "slug": "hanako-yamada", "role": "doctoral",
        "research_interests_ja": "", "research_interests_en": "", "joined_on": "",
        "left_on": "", "person": "", "email": "", "researchmap": "", "orcid": "",
        "google_scholar": "", "position": "1", "is_published": "on", "photo": photo,
    }  # fmt: skip
    return client.post("/admin/research/member/add/", data, HTTP_ACCEPT_LANGUAGE="en")


@override_settings(LABSITE_MAX_IMAGE_PIXELS=10_000)
def test_a_member_photo_of_the_limit_is_accepted_and_one_row_more_refused(editor_client):
    refused = add_member(editor_client, SimpleUploadedFile("past.png", png(100, 101)))
    assert refused.status_code == 200
    assert "too large: 100 × 101 pixels; at most 10,000 pixels" in refused.content.decode()
    assert not Member.objects.exists()
    accepted = add_member(editor_client, SimpleUploadedFile("at.png", png(100, 100)))
    assert accepted.status_code == 302
    assert Member.objects.get().photo.name.startswith("members/at")


def test_a_stored_photo_over_the_limit_is_never_decoded_by_a_page(client, monkeypatch):
    member = Member.objects.create(family_name_en="Big", given_name_en="Photo", slug="big")
    member.photo.save("bomb.png", ContentFile(png_header(10_000, 10_000)))
    monkeypatch.setattr(
        renditions.Image, "open", lambda *a, **k: pytest.fail("a page decoded the photo")
    )
    for url in ("/en/members/", "/en/members/big/"):
        html = client.get(url).content.decode()
        assert "member-initials" in html  # the initials instead


def test_a_replaced_photo_and_its_square_renditions_leave_the_disk(
    django_capture_on_commit_callbacks,
):
    member = Member.objects.create(family_name_en="Face", given_name_en="A", slug="face")
    member.photo.save("face.png", ContentFile(png(700, 900)))
    made = renditions.portraits(member.photo)
    files = [member.photo.name, *(re.sub(r"^.*?/media/", "", r.url) for r in made)]
    assert len(made) == 3 and all(default_storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        member.photo.save("new.png", ContentFile(png(60, 60)))
    assert not any(default_storage.exists(name) for name in files)
