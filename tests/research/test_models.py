import importlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.test import override_settings
from django.utils import translation
from PIL import Image

from publications.markup import render_markdown
from research.models import LabProfile, ResearchTheme

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def theme_form(data=None, files=None):
    form_class = modelform_factory(
        ResearchTheme, fields=["title_ja", "slug", "order", "image", "image_alt_ja"]
    )
    values = {
        "title_ja": "格子欠陥",
        "slug": "defects",
        "order": 1,
        "image_alt_ja": "図",
        **(data or {}),
    }
    return form_class(data=values, files=files)


class TestResearchTheme:
    def test_str_and_fallback_both_ways(self):
        ja_only = ResearchTheme.objects.create(title_ja="格子欠陥", slug="defects")
        en_only = ResearchTheme.objects.create(title_en="Glass and liquids", slug="glass")
        with translation.override("en"):
            assert str(ja_only) == "格子欠陥"
        with translation.override("ja"):
            assert str(en_only) == "Glass and liquids"

    def test_slugs_are_unique(self):
        ResearchTheme.objects.create(title_en="A", slug="a")
        with pytest.raises(IntegrityError), transaction.atomic():
            ResearchTheme.objects.create(title_en="B", slug="a")

    def test_a_real_image_is_accepted(self):
        form = theme_form(files={"image": SimpleUploadedFile("t.png", png_bytes(), "image/png")})
        assert form.is_valid(), form.errors

    def test_a_file_that_is_not_an_image_is_refused(self):
        fake = SimpleUploadedFile("t.png", b"<script>alert(1)</script>", "image/png")
        form = theme_form(files={"image": fake})
        assert not form.is_valid()
        assert "image" in form.errors

    @override_settings(LABSITE_MAX_IMAGE_BYTES=100)
    def test_a_huge_image_is_refused_with_its_size(self):
        form = theme_form(
            files={"image": SimpleUploadedFile("t.png", png_bytes((400, 400)), "image/png")}
        )
        assert not form.is_valid()
        assert "MB" in form.errors["image"][0]

    def test_an_image_without_alt_text_is_refused(self):
        form = theme_form(
            data={"image_alt_ja": ""},
            files={"image": SimpleUploadedFile("t.png", png_bytes(), "image/png")},
        )
        assert not form.is_valid()

    def test_a_body_that_repeats_the_lead_is_refused_with_a_reason(self):
        form_class = modelform_factory(
            ResearchTheme, fields=["title_ja", "slug", "order", "lead_en", "body_en", "body_ja"]
        )
        lead = "Glasses are widely used."
        data = {"title_ja": "ガラス", "slug": "glass", "order": 1, "lead_en": lead}
        form = form_class(data={**data, "body_en": f"{lead}\n\nTheir structure is complex."})
        with translation.override("en"):
            assert not form.is_valid()
            assert "begins with the lead" in form.errors["body_en"][0]
        form = form_class(data={**data, "body_en": "Their structure is complex."})
        assert form.is_valid(), form.errors

    def test_the_migration_takes_the_lead_out_of_stored_bodies(self):
        from django.apps import apps

        migration = importlib.import_module("research.migrations.0005_theme_body_without_lead")
        theme = ResearchTheme.objects.create(
            title_ja="ガラス",
            slug="glass",
            lead_ja="ガラスは広く使われている．",
            body_ja="ガラスは広く使われている．本研究室では構造を調べる．",
            lead_en="Glasses are widely used.",
            body_en="Glasses are widely used. We study their structure.",
        )
        migration.strip_repeated_lead(apps, None)
        theme.refresh_from_db()
        assert (theme.body_ja, theme.body_en) == (
            "本研究室では構造を調べる．",
            "We study their structure.",
        )


class TestLabProfile:
    def test_there_is_only_ever_one_profile(self):
        LabProfile.objects.create(name_ja="溝口研究室")
        LabProfile(name_ja="別の研究室").save()
        assert LabProfile.objects.count() == 1
        assert LabProfile.load().name == "別の研究室"

    def test_load_without_a_profile_gives_an_empty_unsaved_one(self):
        assert LabProfile.load().name in ("", None)
        assert LabProfile.objects.count() == 0

    def test_str_falls_back_to_a_label(self):
        assert str(LabProfile(name_ja="溝口研究室")) == "溝口研究室"


class TestMarkdown:
    def test_markdown_becomes_html(self):
        html = render_markdown("1. 生成AI\n2. **LLM**")
        assert "<ol>" in html and "<strong>LLM</strong>" in html

    @pytest.mark.parametrize(
        "hostile",
        [
            "<script>alert(1)</script>",
            '<img src=x onerror="alert(1)">',
            "[click](javascript:alert(1))",
            '<a href="#" onclick="alert(1)">x</a>',
            "<iframe src='https://example.com'></iframe>",
        ],
    )
    def test_editors_cannot_inject_scripts(self, hostile):
        html = render_markdown(hostile).lower()
        assert "<script" not in html
        # A tag that is not allowed may be shown as text (&lt;img …&gt;), never as a tag.
        assert not re.search(r"<[^>]*\bon(error|click)", html)
        assert 'href="javascript:' not in html
        assert "<iframe" not in html and "<img" not in html

    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("Using <T> and <E> as the maps.", "Using &lt;T&gt; and &lt;E&gt; as the maps."),
            ("Heat <Q> flows; <x-y>z</x-y>.", "Heat &lt;Q&gt; flows; &lt;x-y&gt;z&lt;/x-y&gt;."),
            ("So <script>alert(1)</script> then", "So &lt;script&gt;alert(1)&lt;/script&gt; then"),
        ],
    )
    def test_text_after_a_tag_that_is_not_allowed_stays(self, text, shown):
        assert render_markdown(text) == f"<p>{shown}</p>"

    def test_allowed_tags_still_work_inline(self):
        html = render_markdown('H<sub>2</sub>O is <abbr title="water">W</abbr>, <b>really</b>')
        assert html == '<p>H<sub>2</sub>O is <abbr title="water">W</abbr>, <b>really</b></p>'
