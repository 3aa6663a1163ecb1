"""A member's presentations, awards and patents from researchmap: preview, confirm, undo.

researchmap is played by pytest-httpserver (the `sources` fixture) with answers written
from its published format (tests/achievements/researchmap_payloads.py: constructed, not
recorded)."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from achievements import importing
from achievements.models import Award, Patent, Presentation, ResearchmapImport
from publications.models import ImportBatch, Person, Publication
from publications.sources import researchmap
from research.models import Member
from tests import factories
from tests.achievements import factories as achievement_factories
from tests.achievements import researchmap_payloads as rm
from tests.publications import sources_payloads as payloads

pytestmark = pytest.mark.django_db
PREFIX = f"/researchmap/{payloads.PERMALINK}"


def serve(sources, papers=(), presentations=(), awards=(), patents=()):
    """Each list on one page; researchmap's answer to `limit=100&start=1`."""
    lists = {
        "published_papers": payloads.researchmap_page(list(papers)),
        "presentations": rm.page("presentations", presentations),
        "awards": rm.page("awards", awards),
        "industrial_property_rights": rm.page("industrial_property_rights", patents),
    }
    for kind, answer in lists.items():
        sources.expect_request(
            f"{PREFIX}/{kind}", query_string={"limit": str(researchmap.PAGE_SIZE), "start": "1"}
        ).respond_with_json(answer)


@pytest.fixture
def professor():
    """The lab's professor, a member whose researchmap page is the one served."""
    person = factories.person("Mizoguchi", "Teruyasu", lab=True)
    Person.objects.filter(pk=person.pk).update(family_name_ja="溝口", given_name_ja="照康")
    person.refresh_from_db()
    person.add_variant("溝口 照康")
    Member.objects.create(family_name_en="Mizoguchi", person=person, researchmap=payloads.PERMALINK)
    return person


def everything(sources):
    serve(
        sources,
        papers=[payloads.ELNES],
        presentations=[rm.TALK, rm.POSTER],
        awards=[rm.AWARD, rm.POSTER_PRIZE],
        patents=[rm.PATENT, rm.UTILITY_MODEL],
    )


# ---------------------------------------------------------------- command


def test_the_command_imports_papers_presentations_awards_and_patents(sources, professor, capsys):
    everything(sources)
    call_command("import_researchmap", payloads.PERMALINK)
    out = capsys.readouterr().out
    assert Publication.objects.count() == 1
    talk = Presentation.objects.get(citation_key="researchmap-50000001")
    assert (talk.title_ja, talk.title_en) == (
        "機械学習による ELNES 解析",
        "ELNES analysis by machine learning",
    )
    assert (talk.meeting_ja, talk.meeting_en) == (
        "日本顕微鏡学会 第80回学術講演会",
        "The 80th Annual Meeting of JSM",
    )
    assert (talk.place_ja, talk.date, talk.format) == (
        "幕張メッセ",
        datetime.date(2024, 6, 4),
        "oral",
    )
    assert (talk.is_invited, talk.is_international, talk.url) == (
        True,
        False,
        "https://example.org/jsm80",
    )
    # The professor is matched to the existing person; the student is a new one.
    people = [c.person for c in talk.people()]
    assert people[0] == professor and people[0].is_lab_member
    assert people[1].family_name_ja == "山田" and not people[1].is_lab_member
    assert talk.people()[0].is_presenter
    poster = Presentation.objects.get(citation_key="researchmap-50000002")
    assert (poster.title_ja, poster.title_en, poster.format, poster.is_international) == (
        None,
        "Grain boundary spectra from first principles",
        "poster",
        True,
    )
    # "T. Mizoguchi" is the professor too, as in the papers' import.
    assert [c.person for c in poster.people()][1] == professor
    award = Award.objects.get(citation_key="researchmap-60000001")
    assert (award.name_ja, award.name_en, award.awarding_body_en, award.subject_ja) == (
        "日本顕微鏡学会 奨励賞",
        "JSM Young Scientist Award",
        "The Japanese Society of Microscopy",
        "電子線分光による界面の研究",
    )
    # researchmap gave the month only, and no winners: the holder of the page, on the 1st.
    assert award.date == datetime.date(2019, 5, 1)
    assert [c.person for c in award.people()] == [professor]
    patent = Patent.objects.get()
    assert (patent.title_ja, patent.application_number, patent.registration_number) == (
        "スペクトル解析装置及びスペクトル解析方法",
        "特願2022-123456",
        "特許第7345678号",
    )
    assert (patent.filed_on, patent.registered_on, patent.status) == (
        datetime.date(2022, 8, 1),
        datetime.date(2024, 3, 15),
        "registered",
    )
    assert "error     patent researchmap-70000002: Not a patent" in out
    assert "researchmap gives the month only (2019-05)" in out
    assert out.strip().endswith("5 created, 1 new people.")
    batch = ResearchmapImport.objects.get()
    assert batch.status == "applied" and batch.papers_batch == ImportBatch.objects.get()
    # Only one "山田 花子" although she is on four achievements.
    assert Person.objects.filter(family_name_ja="山田").count() == 1


def test_importing_again_finds_every_achievement_already_there(sources, professor, capsys):
    everything(sources)
    call_command("import_researchmap", payloads.PERMALINK)
    capsys.readouterr()
    call_command("import_researchmap", payloads.PERMALINK)
    out = capsys.readouterr().out
    assert "0 new, 5 duplicates, 0 possible duplicates, 1 errors; 0 created" in out
    assert (Presentation.objects.count(), Award.objects.count(), Patent.objects.count()) == (
        2,
        2,
        1,
    )


def test_one_entered_by_hand_is_a_possible_duplicate_skipped_unless_chosen(sources, capsys):
    by_hand = achievement_factories.presentation(
        title_en="ELNES analysis by machine learning", date=datetime.date(2024, 6, 3)
    )
    serve(sources, presentations=[rm.TALK])
    call_command("import_researchmap", payloads.PERMALINK, "--kind", "presentations")
    out = capsys.readouterr().out
    assert "possible  presentation researchmap-50000001: 機械学習による ELNES 解析" in out
    assert f"like #{by_hand.pk}" in out
    assert Presentation.objects.count() == 1
    call_command(
        "import_researchmap",
        payloads.PERMALINK,
        "--kind",
        "presentations",
        "--choose",
        "researchmap-50000001=new",
    )
    assert Presentation.objects.count() == 2


def test_only_the_kinds_asked_for_are_read(sources, professor):
    serve(sources, presentations=[rm.TALK], awards=[rm.AWARD])
    call_command("import_researchmap", payloads.PERMALINK, "--kind", "awards")
    assert (Award.objects.count(), Presentation.objects.count()) == (1, 0)
    assert not ImportBatch.objects.exists()  # the papers were not asked for
    assert {entry[0].path for entry in sources.log} == {f"{PREFIX}/awards"}


def test_every_page_of_a_long_list_is_read(sources, monkeypatch, capsys):
    monkeypatch.setattr(researchmap, "PAGE_SIZE", 1)
    talks = [rm.TALK, rm.POSTER]
    for start, talk in enumerate(talks, 1):
        sources.expect_request(
            f"{PREFIX}/presentations", query_string={"limit": "1", "start": str(start)}
        ).respond_with_json(rm.page("presentations", [talk], total=2))
    call_command("import_researchmap", payloads.PERMALINK, "--kind", "presentations")
    assert Presentation.objects.count() == 2
    assert "2/2" in capsys.readouterr().err  # the progress bar reached the end


def test_a_researcher_with_nothing_is_told_so_and_nothing_is_written(sources, capsys):
    serve(sources)
    call_command("import_researchmap", payloads.PERMALINK)
    out = capsys.readouterr().out
    assert "lists no published papers: nothing to import" in out
    assert "lists no presentations, awards or patents of the kinds asked" in out
    assert not ImportBatch.objects.exists() and not ResearchmapImport.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ('{"total_items": 1, "items": [', 200, "researchmap sent an answer that cannot be read"),
        ('{"total_items": 1, "items": ["award"]}', 200, "sent an answer that cannot be read"),
        ("down for maintenance", 503, "researchmap is unavailable at the moment"),
    ],
)
def test_an_unreadable_or_missing_list_stops_everything(sources, body, status, message):
    """The awards cannot be read: neither the presentations nor the papers are written."""
    sources.expect_request(f"{PREFIX}/presentations").respond_with_json(
        rm.page("presentations", [rm.TALK])
    )
    sources.expect_request(f"{PREFIX}/published_papers").respond_with_json(
        payloads.researchmap_page([payloads.ELNES])
    )
    sources.expect_request(f"{PREFIX}/awards").respond_with_data(
        body, status=status, content_type="application/json"
    )
    with pytest.raises(CommandError, match=message):
        call_command("import_researchmap", payloads.PERMALINK)
    assert not Presentation.objects.exists() and not Publication.objects.exists()
    assert not ImportBatch.objects.exists() and not ResearchmapImport.objects.exists()


def test_a_dry_run_writes_nothing(sources, professor, capsys):
    everything(sources)
    call_command("import_researchmap", payloads.PERMALINK, "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run, nothing written: 5 new, 0 duplicates" in out
    assert not ResearchmapImport.objects.exists() and not Presentation.objects.exists()


def test_an_unknown_choice_is_refused_before_anything_is_written(sources, professor):
    everything(sources)
    with pytest.raises(CommandError, match="researchmap-70000002 can be skip"):
        call_command(
            "import_researchmap", payloads.PERMALINK, "--choose", "researchmap-70000002=new"
        )
    assert not ResearchmapImport.objects.exists() and not ImportBatch.objects.exists()
    assert not Presentation.objects.exists() and not Publication.objects.exists()


# ---------------------------------------------------------------- undo


def test_undo_deletes_what_the_import_created_but_keeps_what_was_edited_since(sources, professor):
    everything(sources)
    call_command(
        "import_researchmap",
        payloads.PERMALINK,
        "--kind",
        "presentations",
        "--kind",
        "awards",
        "--kind",
        "industrial_property_rights",
    )
    batch = ResearchmapImport.objects.get()
    poster = Presentation.objects.get(citation_key="researchmap-50000002")
    poster.note_en = "Corrected by the secretary."
    poster.save()  # an edit after the import
    result = importing.undo(batch)
    assert list(Presentation.objects.all()) == [poster]
    assert not Award.objects.exists() and not Patent.objects.exists()
    assert result.kept == [str(poster)]
    with translation.override("en"):
        assert "kept, because they were edited after the import: Grain boundary" in str(result)
    # The student is on the kept poster: kept too. The professor was never the import's.
    assert Person.objects.filter(family_name_en="Yamada").exists()
    assert result.people_kept == 1 and Person.objects.filter(pk=professor.pk).exists()
    batch.refresh_from_db()
    assert batch.status == "undone"
    with translation.override("en"), pytest.raises(importing.ImportRefused, match="already undone"):
        importing.undo(batch)


def test_undo_removes_the_people_the_import_created_when_nothing_uses_them(sources):
    serve(sources, presentations=[rm.TALK])
    call_command("import_researchmap", payloads.PERMALINK, "--kind", "presentations")
    assert Person.objects.count() == 2  # both new
    result = importing.undo(ResearchmapImport.objects.get())
    assert (result.deleted, result.people_deleted) == (1, 2)
    assert not Person.objects.exists() and not Presentation.objects.exists()


# ---------------------------------------------------------------- admin

FORM = "admin:publications_publication_import_source"


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            [
                "Presentations, awards and patents from researchmap.jp/read0123456",
                "The papers read from the same page are previewed on their own",
                "possible duplicate",
                "Not a patent",
                "試料ホルダー",
                "new person",
                "Confirm the import",
            ],
        ),
        (
            "ja",
            [
                "researchmap.jp/read0123456 からの発表・受賞・特許",
                "同じページから読んだ論文は別にプレビューします",
                "重複の可能性",
                "特許ではありません",
                "試料ホルダー",
                "新しい人物",
                "読み込みを確定",
            ],
        ),
    ],
)
def test_the_admin_previews_confirms_and_undoes(sources, professor, editor_client, language, texts):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    achievement_factories.award(name_en="Best Poster Award", date=datetime.date(2023, 1, 5))
    everything(sources)
    url = reverse(FORM)
    page = editor_client.get(url).content.decode()
    assert 'value="industrial_property_rights"' in page and "checked" in page
    response = editor_client.post(
        url,
        {
            "service": "researchmap",
            "identifier": payloads.PERMALINK,
            "kinds": (*rm.TYPES, "published_papers"),
        },
    )
    batch = ResearchmapImport.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    preview = editor_client.get(batch.get_absolute_url())
    html = preview.content.decode()
    for text in texts:
        assert text in html
    assert not Presentation.objects.exists()  # nothing is written before Confirm
    # researchmap's "Best Poster Award" of 2023 is a possible duplicate of the one entered by
    # hand (skipped by default); the editor also skips the talk.
    numbers = {row["key"]: row["number"] for row in batch.rows}
    response = editor_client.post(
        batch.get_absolute_url(), {f"choice-{numbers['researchmap-50000001']}": "skip"}
    )
    assert response.status_code == 302
    assert not Presentation.objects.filter(citation_key="researchmap-50000001").exists()
    assert Presentation.objects.filter(citation_key="researchmap-50000002").exists()
    applied = editor_client.get(batch.get_absolute_url()).content.decode()
    assert reverse("admin:achievements_patent_change", args=[Patent.objects.get().pk]) in applied
    response = editor_client.post(
        reverse("admin:achievements_researchmapimport_undo", args=[batch.pk]), follow=True
    )
    assert response.status_code == 200
    assert not Patent.objects.exists() and Award.objects.count() == 1  # the hand-entered one
    assert ResearchmapImport.objects.get().status == "undone"


def test_a_choice_that_is_not_offered_is_refused_and_nothing_is_written(
    sources, professor, editor_client
):
    everything(sources)
    editor_client.post(
        reverse(FORM),
        {"service": "researchmap", "identifier": payloads.PERMALINK, "kinds": rm.TYPES},
    )
    batch = ResearchmapImport.objects.get()
    error_row = next(row for row in batch.rows if row["status"] == "error")
    response = editor_client.post(
        batch.get_absolute_url(),
        {f"choice-{error_row['number']}": "new"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "cannot be “new”: nothing was imported" in response.content.decode()
    assert not Presentation.objects.exists()
    assert ResearchmapImport.objects.get().status == "pending"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "esearchmap is unavailable at the moment (HTTP 503)"),
        ("ja", "esearchmap は現在利用できません（HTTP 503）"),
    ],
)
def test_the_admin_says_when_researchmap_is_down(sources, editor_client, language, expected):
    sources.expect_request(f"{PREFIX}/presentations").respond_with_data("down", status=503)
    response = editor_client.post(
        reverse(FORM),
        {"service": "researchmap", "identifier": payloads.PERMALINK, "kinds": rm.TYPES},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 503
    assert expected in response.content.decode()
    assert not ResearchmapImport.objects.exists() and not ImportBatch.objects.exists()


def test_researchmap_needs_at_least_one_kind(editor_client):
    response = editor_client.post(
        reverse(FORM),
        {"service": "researchmap", "identifier": payloads.PERMALINK},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "Choose at least one kind of achievement." in response.content.decode()


def test_the_member_action_opens_the_achievements_preview(sources, professor, editor_client):
    everything(sources)
    member = Member.objects.get()
    response = editor_client.post(
        reverse("admin:research_member_changelist"),
        {"action": "import_from_researchmap", "_selected_action": [member.pk]},
    )
    batch = ResearchmapImport.objects.get()
    assert response["Location"] == batch.get_absolute_url()
    assert batch.papers_batch.status == "pending"


@pytest.mark.parametrize("size", [2, 40])
def test_the_preview_takes_the_same_queries_whatever_its_size(
    sources, editor_client, django_assert_num_queries, size
):
    talks = [
        rm.item(
            "presentations",
            51000000 + n,
            presentation_title={"en": f"Talk {n}"},
            presenters={"en": [{"name": f"Person{n} Speaker"}]},
            publication_date="2024-01-15",
        )
        for n in range(size)
    ]
    serve(sources, presentations=talks)
    editor_client.post(
        reverse(FORM),
        {"service": "researchmap", "identifier": payloads.PERMALINK, "kinds": ["presentations"]},
    )
    batch = ResearchmapImport.objects.get()
    editor_client.get(batch.get_absolute_url())  # sessions, permissions cached
    with django_assert_num_queries(7):
        response = editor_client.get(batch.get_absolute_url())
    assert response.content.decode().count('name="choice-') == size


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "researchmap imports of achievements"), ("ja", "researchmap からの業績の読み込み")],
)
def test_past_imports_are_listed_and_lead_to_their_page(
    sources, professor, editor_client, language, heading
):
    everything(sources)
    call_command("import_researchmap", payloads.PERMALINK, "--kind", "awards")
    batch = ResearchmapImport.objects.get()
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    listing = editor_client.get(reverse("admin:achievements_researchmapimport_changelist"))
    assert listing.status_code == 200
    assert heading in listing.content.decode()
    assert "researchmap.jp/read0123456" in listing.content.decode()
    change = reverse("admin:achievements_researchmapimport_change", args=[batch.pk])
    assert editor_client.get(change)["Location"] == batch.get_absolute_url()


def test_two_previews_of_one_page_confirmed_one_after_the_other_add_each_achievement_once(
    sources, professor
):
    serve(sources, presentations=[rm.TALK, rm.POSTER])
    fetched = importing.fetch(payloads.PERMALINK, ["presentations"])
    first = importing.create("researchmap.jp/read0123456", fetched)
    second = importing.create("researchmap.jp/read0123456", fetched)
    assert importing.confirm(first).created == 2
    result = importing.confirm(second)
    assert (result.created, len(result.gone)) == (0, 2)
    assert Presentation.objects.count() == 2
