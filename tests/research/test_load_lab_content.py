from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from publications.models import Keyword, Person, Publication
from research.content.loader import read_content
from research.models import LabProfile, ResearchTheme

pytestmark = pytest.mark.django_db


def test_loads_six_themes_in_seed_order(lab_content):
    themes = list(ResearchTheme.objects.all())
    assert len(themes) == 6
    assert themes[0].title_ja == "マテリアルズインフォマティクスを活用した物質設計と新手法の開発"
    assert themes[-1].title_ja == "原子分解能計測を活用したガラス・液体・ソフトマテリアルの材料設計"
    assert all(t.title_en and t.lead_en for t in themes)
    # Every body is translated; the energy-materials theme's text is all lead (no body).
    assert [bool(t.body_en) for t in themes] == [bool(t.body_ja) for t in themes]
    assert [t.slug for t in themes if not t.body_ja] == ["energy-materials"]
    assert [t.order for t in themes] == [1, 2, 3, 4, 5, 6]


def test_loads_all_32_papers_with_their_representative_order(lab_content):
    assert Publication.objects.count() == 32
    counts = [t.representatives.count() for t in ResearchTheme.objects.all()]
    assert counts == [6, 5, 4, 7, 5, 5]
    first = ResearchTheme.objects.first().representatives.order_by("order").first().publication
    assert first.title_en == "Accelerated inorganic materials design with generative AI agents"


def test_papers_are_parsed_into_fields(lab_content):
    paper = Publication.objects.get(
        title_en__startswith="Prediction of the Ground State Electronic"
    )
    assert (paper.venue, paper.volume, paper.pages, paper.year) == (
        "J. Phys. Chem. Lett.",
        "14",
        "4858-4865",
        2023,
    )
    in_press = Publication.objects.get(doi="10.1093/jmicro/dfaf038")
    assert in_press.status == Publication.Status.IN_PRESS
    assert in_press.type == Publication.Type.INVITED_REVIEW
    assert Publication.objects.filter(type=Publication.Type.INVITED_REVIEW).count() == 5
    article = Publication.objects.get(title_en__startswith="Accelerated inorganic")
    assert (article.article_number, article.numpages) == ("103019", 10)


def test_authors_keep_seed_order(lab_content):
    paper = Publication.objects.get(
        title_en__startswith="Prediction of the Ground State Electronic"
    )
    printed = [a.as_printed for a in paper.ordered_authorships]
    assert printed == ["PY. Chen", "K. Shibata", "K. Hagita", "T. Miyata", "T. Mizoguchi"]
    assert [a.position for a in paper.ordered_authorships] == [1, 2, 3, 4, 5]


def test_lab_members_are_flagged_and_name_variants_are_one_person(lab_content):
    mizoguchi = Person.objects.get(family_name_en="Mizoguchi")
    assert mizoguchi.is_lab_member
    assert mizoguchi.publications.count() == 32
    assert Person.objects.get(family_name_en="Shibata", given_name_en="K.").is_lab_member
    assert not Person.objects.get(family_name_en="Shibata", given_name_en="Naoya").is_lab_member
    chen = Person.objects.filter(family_name_en="Chen")
    assert chen.count() == 1 and chen.get().is_lab_member
    assert chen.get().publications.count() == 2  # "PY. Chen" (2023) and "P. Y. Chen" (2025)
    with translation.override("ja"):
        assert str(mizoguchi) == "溝口 照康"


def test_truncated_author_lists_are_marked(lab_content):
    paper = Publication.objects.get(title_en__startswith="Atomic Scale Identification")
    assert paper.authors_truncated
    assert [a.as_printed for a in paper.ordered_authorships] == ["T. Mizoguchi"]


def test_keywords_in_both_languages_tie_papers_to_themes(lab_content):
    seed_slugs = [entry["slug"] for entry in read_content()["keywords"]]
    assert Keyword.objects.filter(slug__in=seed_slugs).count() == 42  # and vocabulary terms
    keyword = Keyword.objects.get(name_ja="格子欠陥")
    assert keyword.name_en and keyword.slug.isascii()
    assert not Publication.objects.filter(keywords=None).exists()
    for theme in ResearchTheme.objects.all():
        found = Publication.objects.filter(keywords__in=theme.keywords.all()).distinct()
        representatives = theme.representative_publications.all()
        # Most of a theme's own papers are found through its keywords alone.
        assert found.filter(pk__in=representatives).count() >= len(representatives) - 2, theme


def test_lab_profile_has_mission_in_both_languages(lab_content):
    profile = LabProfile.load()
    assert profile.mission_ja == "物質の構造機能相関を解明し物質設計を実現する"
    assert profile.mission_en and profile.intro_ja and profile.intro_en


def test_running_twice_changes_nothing(lab_content):
    stamps = dict(Publication.objects.values_list("pk", "updated_at"))
    authorships = sorted(Publication.authors.through.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("load_lab_content", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert dict(Publication.objects.values_list("pk", "updated_at")) == stamps
    assert sorted(Publication.authors.through.objects.values_list("pk", flat=True)) == authorships
    assert Person.objects.count() == 53


def test_loader_restores_a_changed_paper(lab_content):
    paper = Publication.objects.get(doi="10.1093/jmicro/dfaf038")
    paper.venue = "Wrong"
    paper.save()
    out = StringIO()
    call_command("load_lab_content", stdout=out)
    paper.refresh_from_db()
    assert paper.venue == "Microscopy"
    assert "updated 1 publications" in out.getvalue()


def test_if_empty_leaves_existing_content_alone(lab_content):
    ResearchTheme.objects.filter(order=1).update(title_en="Edited by staff")
    out = StringIO()
    call_command("load_lab_content", "--if-empty", stdout=out)
    assert ResearchTheme.objects.get(order=1).title_en == "Edited by staff"
    assert "nothing loaded" in out.getvalue()
