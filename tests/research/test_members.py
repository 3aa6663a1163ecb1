"""The members page, a page per member, and members in the admin (issue 21, item 1)."""

import datetime
import io
import re
from html import unescape
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from publications.models import Person
from research.models import Member
from tests import factories

pytestmark = pytest.mark.django_db

ROLE_ORDER_JA = [
    "教授", "准教授", "講師", "助教", "特任研究員・博士研究員", "博士課程", "修士課程",
    "学部生", "技術職員・秘書", "客員",
]  # fmt: skip


def member(family_en, family_ja="", role="", **fields):
    return Member.objects.create(
        family_name_en=family_en,
        given_name_en=fields.pop("given_en", "Taro"),
        family_name_ja=family_ja,
        given_name_ja=fields.pop("given_ja", "太郎" if family_ja else ""),
        role=role,
        **fields,
    )


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def headings(html, level="h2"):
    return [
        unescape(re.sub(r"<[^>]+>", "", h))
        for h in re.findall(rf"<{level}[^>]*>(.*?)</{level}>", html)
    ]


class TestMembersPage:
    def test_groups_follow_the_order_japanese_labs_list_roles_in(self, client):
        for role in reversed(Member.Role.values):  # created in the opposite order
            member(f"Fam{role.replace('-', '')}", role=role)
        assert headings(html_of(client, "/ja/members/")) == ROLE_ORDER_JA
        assert headings(html_of(client, "/en/members/")) == [
            "Professor", "Associate Professor", "Lecturer", "Assistant Professor",
            "Project Researcher / Postdoctoral Researcher", "Doctoral student",
            "Master's student", "Undergraduate student", "Technical staff / Secretary",
            "Visiting researcher",
        ]  # fmt: skip

    def test_within_a_group_the_editors_order(self, client):
        member("Second", role="doctoral", position=2)
        member("First", role="doctoral", position=1)
        member("Third", role="doctoral", position=3)
        html = html_of(client, "/en/members/")
        assert html.index("Taro First") < html.index("Taro Second") < html.index("Taro Third")

    def test_names_in_both_scripts_with_the_reading_on_japanese_pages(self, client):
        member("Yamada", "山田", role="masters", reading="やまだ たろう")
        ja = html_of(client, "/ja/members/")
        assert "山田 太郎" in ja and "やまだ たろう" in ja and '<span lang="en">Taro Yamada' in ja
        en = html_of(client, "/en/members/")
        assert ">Taro Yamada</a>" in en and '<span lang="ja">山田 太郎</span>' in en
        assert "やまだ" not in en

    def test_a_member_whose_leaving_date_is_past_is_listed_among_alumni_by_year(self, client):
        today = timezone.localdate()
        member("Stays", role="doctoral", left_on=today)  # their last day: still a member
        member("Gone", role="doctoral", left_on=today - datetime.timedelta(days=1))
        member("Older", role="masters", left_on=datetime.date(2019, 3, 31))
        html = html_of(client, "/en/members/")
        alumni = html[html.index('id="alumni-heading"') :]
        assert "Taro Stays" not in alumni
        assert "Taro Gone" in alumni and "Taro Older" in alumni
        year = (today - datetime.timedelta(days=1)).year
        assert headings(alumni, "h3") == [f"Left in {year}", "Left in 2019"]
        assert "Taro Stays" in html[: html.index('id="alumni-heading"')]
        assert "2019年に離籍" in html_of(client, "/ja/members/")

    def test_the_move_to_alumni_is_decided_on_the_day_of_the_request(self, client, monkeypatch):
        today = timezone.localdate()
        member("Leaving", role="doctoral", left_on=today)
        assert 'id="alumni-heading"' not in html_of(client, "/en/members/")
        monkeypatch.setattr(timezone, "localdate", lambda *a: today + datetime.timedelta(days=1))
        assert 'id="alumni-heading"' in html_of(client, "/en/members/")

    def test_unpublished_members_are_not_listed_nor_reachable(self, client):
        hidden = member("Hidden", role="doctoral", is_published=False)
        assert "Hidden" not in html_of(client, "/en/members/")
        html_of(client, hidden.get_absolute_url(), 404)

    def test_an_unpublished_member_is_a_preview_for_staff(self, editor_client):
        hidden = member("Hidden", is_published=False)
        assert "Preview" in html_of(editor_client, hidden.get_absolute_url().replace("ja", "en"))

    def test_a_member_without_a_stated_role_is_listed_without_one(self, client):
        member("Unstated")
        html = html_of(client, "/en/members/")
        # No group heading: the name itself is the page's second level.
        assert headings(html) == ["Taro Unstated"]
        member("Prof", role="professor")
        assert headings(html_of(client, "/en/members/")) == ["Professor", "Other members"]

    def test_the_navigation_links_the_members_page_in_both_languages(self, client):
        assert '<a href="/ja/members/" aria-current="page">メンバー</a>' in html_of(
            client, "/ja/members/"
        )
        assert '<a href="/en/members/">Members</a>' in html_of(client, "/en/")


class TestMemberPage:
    def test_papers_newest_first_themes_and_keywords_of_the_member(self, client):
        shown, linking, hidden = factories.keyword(), factories.keyword(), factories.keyword()
        person = factories.person("Suzuki", lab=True)
        someone = factories.person("Other")
        factories.paper("Old paper", year=2010, authors=[person], keywords=[shown])
        factories.paper("New paper", year=2024, authors=[someone, person], keywords=[linking])
        factories.paper("Not theirs", year=2023, authors=[someone], keywords=[shown])
        factories.paper("Draft", year=2025, authors=[person], keywords=[hidden], is_published=False)
        factories.theme("Their theme", keywords=[linking])
        factories.theme("Not their theme", keywords=[hidden])
        factories.theme("Hidden theme", keywords=[linking], is_published=False)
        m = member("Suzuki", person=person)
        html = html_of(client, m.get_absolute_url().replace("/ja/", "/en/"))
        assert html.index("New paper") < html.index("Old paper")
        assert "Not theirs" not in html and "Draft" not in html
        assert "Their theme" in html and "Not their theme" not in html
        assert "Hidden theme" not in html
        chips = re.findall(r'href="/en/keywords/([\w-]+)/"', html)
        assert set(chips) == {shown.slug, linking.slug}
        assert "2 papers" in html and f"?author={person.slug}" in html

    def test_a_representative_paper_brings_its_theme_and_an_excluded_one_does_not(self, client):
        k = factories.keyword()
        person = factories.person()
        chosen = factories.paper("Chosen", authors=[person])
        excluded = factories.paper("Excluded", authors=[person], keywords=[k])
        factories.theme("By choice", representatives=[chosen])
        theme = factories.theme("By keyword only", keywords=[k])
        theme.excluded_publications.add(excluded)
        url = member("X", person=person).get_absolute_url().replace("/ja/", "/en/")
        html = html_of(client, url)
        assert "By choice" in html and "By keyword only" not in html

    def test_a_member_without_an_author_has_a_page_without_papers(self, client):
        html = html_of(client, member("New", "新人", role="undergraduate").get_absolute_url())
        assert "新人 太郎" in html and "学部生" in html and "論文" not in headings(html)

    def test_the_email_is_shown_but_not_as_an_address_harvesters_read(self, client):
        m = member("Mail", email="taro.mail@lab.example.ac.jp")
        for lang in ("ja", "en"):
            html = html_of(client, m.get_absolute_url().replace("/ja/", f"/{lang}/"))
            assert "taro.mail [at] lab.example.ac.jp" in html
            assert "taro.mail@lab.example.ac.jp" not in html and "mailto:" not in html
            assert "taro.mail&#64;" not in html and "%40lab" not in html

    def test_links_to_researchmap_orcid_and_google_scholar(self, client):
        m = member(
            "Links",
            researchmap="read0123456",
            orcid="0000-0002-1825-0097",
            google_scholar="AbCdEfGhIjKl",
        )
        html = html_of(client, m.get_absolute_url())
        assert 'href="https://researchmap.jp/read0123456"' in html
        assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
        assert 'href="https://scholar.google.com/citations?user=AbCdEfGhIjKl"' in html

    def test_json_ld_describes_a_person_of_the_lab(self, client, lab_content):
        html = html_of(client, "/en/members/teruyasu-mizoguchi/")
        data = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert '"@type": "Person"' in data.group(1)
        assert '"name": "Teruyasu Mizoguchi"' in data.group(1)
        assert '"alternateName": "溝口 照康"' in data.group(1)
        assert '"affiliation": {"@type": "Organization", "name": "Mizoguchi Laboratory"' in (
            data.group(1)
        )
        assert "jobTitle" not in data.group(1)  # the content states no role


class TestPhotos:
    def photo(self, m, size=(900, 1200)):
        buffer = io.BytesIO()
        Image.new("RGB", size, "gray").save(buffer, "PNG")
        m.photo.save("face.png", SimpleUploadedFile("face.png", buffer.getvalue()))

    def test_a_photo_is_served_as_square_webp_renditions_with_a_srcset(self, client):
        m = member("Photo", role="doctoral")
        self.photo(m)
        html = html_of(client, "/en/members/")
        tag = re.search(r"<img [^>]*class=\"member-photo small\"[^>]*>", html).group(0)
        widths = re.findall(r"\.webp (\d+)w", tag)
        assert widths == ["160", "320", "640"]
        assert 'alt=""' in tag and 'sizes="8rem"' in tag and 'width="640" height="640"' in tag

    def test_a_small_photo_is_never_enlarged(self, client):
        m = member("Small", role="doctoral")
        self.photo(m, (200, 300))
        tag = re.search(r"<img [^>]*member-photo[^>]*>", html_of(client, "/en/members/"))
        assert re.findall(r"\.webp (\d+)w", tag.group(0)) == ["160", "200"]

    def test_without_a_photo_the_initials_on_a_tile_hidden_from_screen_readers(self, client):
        member("Mizoguchi", given_en="Teruyasu")
        html = html_of(client, "/en/members/")
        tile = '<span class="member-photo small member-initials" aria-hidden="true" lang="en">'
        assert f"{tile}TM</span>" in html


class TestValidation:
    def test_pasted_addresses_become_identifiers(self):
        m = Member(
            family_name_en="Paste",
            slug="paste",
            researchmap="https://researchmap.jp/mizoguchi_t/",
            orcid="https://orcid.org/0000-0002-1825-0097",
            google_scholar="https://scholar.google.co.jp/citations?hl=ja&user=AbCdEfGhIjKl",
        )
        m.full_clean()
        assert (m.researchmap, m.orcid, m.google_scholar) == (
            "mizoguchi_t",
            "0000-0002-1825-0097",
            "AbCdEfGhIjKl",
        )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("orcid", "0000-0002-1825-0098"),  # wrong check digit
            ("orcid", "1234"),
            ("google_scholar", "https://example.com/citations?user=AbCdEfGhIjKl"),
            ("researchmap", "https://researchmap.jp/a b"),
        ],
    )
    def test_wrong_identifiers_are_refused_with_a_message(self, field, value):
        m = Member(family_name_en="Wrong", slug="wrong", **{field: value})
        with pytest.raises(ValidationError) as error:
            m.full_clean()
        assert field in error.value.message_dict

    def test_a_member_cannot_leave_before_joining(self):
        m = Member(
            family_name_en="Time",
            slug="time",
            joined_on=datetime.date(2020, 4, 1),
            left_on=datetime.date(2019, 3, 31),
        )
        with pytest.raises(ValidationError) as error:
            m.full_clean()
        assert list(error.value.message_dict) == ["left_on"]


class TestAdmin:
    def post_data(self, **fields):
        data = {
            "family_name_ja": "山田", "given_name_ja": "花子", "family_name_en": "Yamada",
            "given_name_en": "Hanako", "reading": "やまだ はなこ", "slug": "hanako-yamada",
            "role": "doctoral", "research_interests_ja": "", "research_interests_en": "",
            "joined_on": "2022-04-01", "left_on": "", "person": "", "email": "",
            "researchmap": "", "orcid": "", "google_scholar": "", "position": "1",
            "is_published": "on",
        }  # fmt: skip
        data.update(fields)
        return data

    def test_an_editor_adds_and_edits_a_member_with_ja_en_tabs(self, editor_client):
        person = factories.person("Yamada", given_en="H.", lab=True)
        add = reverse("admin:research_member_add")
        html = editor_client.get(add).content.decode()
        assert "tabbed_translation_fields.js" in html
        widget = re.search(r'<select[^>]*name="person"[^>]*>', html).group(0)
        assert "admin-autocomplete" in widget
        response = editor_client.post(add, self.post_data(person=person.pk))
        assert response.status_code == 302, response.context["adminform"].form.errors
        m = Member.objects.get(slug="hanako-yamada")
        assert (m.person, m.role, str(m)) == (person, "doctoral", "山田 花子")
        change = reverse("admin:research_member_change", args=[m.pk])
        response = editor_client.post(
            change, self.post_data(person=person.pk, left_on="2024-03-31", orcid="bad")
        )
        assert response.status_code == 200  # the form again, with the message
        assert "Not an ORCID iD" in response.content.decode() or "ORCID iD ではありません" in (
            response.content.decode()
        )
        response = editor_client.post(change, self.post_data(left_on="2024-03-31"))
        assert response.status_code == 302
        m.refresh_from_db()
        assert m.left_on == datetime.date(2024, 3, 31) and m.person is None

    def test_the_list_is_ordered_by_hand(self, editor_client):
        a, b = member("Alpha", position=2), member("Beta", position=1)
        changelist = reverse("admin:research_member_changelist")
        html = editor_client.get(changelist).content.decode()
        assert html.index("Taro Beta") < html.index("Taro Alpha")
        response = editor_client.post(
            changelist,
            {
                "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2",
                "form-0-id": b.pk, "form-0-position": "5", "form-0-is_published": "on",
                "form-1-id": a.pk, "form-1-position": "0", "form-1-is_published": "on",
                "_save": "Save",
            },
        )  # fmt: skip
        assert response.status_code == 302
        html = editor_client.get(changelist).content.decode()
        assert html.index("Taro Alpha") < html.index("Taro Beta")

    def test_the_alumni_filter_uses_today(self, editor_client):
        member("Current")
        member("Former", left_on=datetime.date(2020, 3, 31))
        url = reverse("admin:research_member_changelist")
        html = editor_client.get(url, {"status": "alumni"}).content.decode()
        assert "Taro Former" in html and "Taro Current" not in html


class TestLabContent:
    def test_mizoguchi_is_loaded_as_a_member_with_no_role_invented(self, lab_content):
        (m,) = Member.objects.all()
        assert (m.family_name_ja, m.given_name_ja, m.family_name_en, m.given_name_en) == (
            "溝口", "照康", "Mizoguchi", "Teruyasu",
        )  # fmt: skip
        assert m.role == "" and m.person == Person.objects.get(family_name_en="Mizoguchi")

    def test_his_page_lists_his_papers_themes_and_keywords(self, client, lab_content):
        html = html_of(client, "/ja/members/teruyasu-mizoguchi/")
        assert "32 件" in html or "32件" in html or "32 本" in html
        assert html.count('class="publication"') == 20  # the first page
        assert "マテリアルズインフォマティクスを活用した物質設計と新手法の開発" in html

    def test_loading_again_changes_nothing_and_keeps_what_staff_set(self, lab_content):
        Member.objects.update(role="professor", orcid="0000-0002-1825-0097")
        out = StringIO()
        call_command("load_lab_content", stdout=out)
        assert "nothing changed" in out.getvalue()
        m = Member.objects.get()
        assert (m.role, m.orcid) == ("professor", "0000-0002-1825-0097")

    def test_the_loader_restores_the_names_it_states(self, lab_content):
        Member.objects.update(family_name_en="Wrong")
        out = StringIO()
        call_command("load_lab_content", stdout=out)
        assert "updated 1 members" in out.getvalue()
        assert Member.objects.get().family_name_en == "Mizoguchi"


def test_the_members_page_is_cached_per_day(settings, local_cache, lab_content, monkeypatch):
    """A cached members page is not served the day after: a member may have left."""
    settings.LABSITE_PAGE_CACHE_SECONDS = 600
    visitor = Client()
    today = timezone.localdate()
    visitor.get("/en/members/")
    assert visitor.get("/en/members/")["X-Labsite-Cache"] == "hit"
    monkeypatch.setattr(timezone, "localdate", lambda *a: today + datetime.timedelta(days=1))
    assert visitor.get("/en/members/")["X-Labsite-Cache"] == "miss"


@pytest.mark.parametrize("size", [2, 60], ids=["few", "many"])
def test_members_page_query_count_is_constant(client, django_assert_num_queries, size):
    for n in range(size):  # current members of every role, and alumni of many years
        left = datetime.date(2000 + n % 20, 3, 31) if n % 2 else None
        member(f"M{n}", role=Member.Role.values[n % 10], left_on=left)
    # The members; the lab's profile (its name, for the description).
    with django_assert_num_queries(2):
        client.get("/en/members/")


@pytest.mark.parametrize("size", [2, 60], ids=["few", "many"])
def test_member_page_query_count_is_constant(client, django_assert_num_queries, local_cache, size):
    ks = [factories.keyword() for _ in range(size // 10 + 2)]
    papers = factories.many_papers(size, keywords=ks)
    person = papers[0].ordered_authorships[0].person
    for _ in range(size // 10 + 1):
        factories.theme(keywords=ks[:1], representatives=papers[:2])
    m = member("Counted", person=person)
    url = m.get_absolute_url()
    # The member with their author; the content version; the lab's profile (the page's
    # description and structured data); a page of papers, their authors; the themes
    # listing any of them; their keywords; and on the first view the per-year counts
    # of their papers, which the worker then keeps under the version.
    with django_assert_num_queries(8):
        client.get(url)
    with django_assert_num_queries(7):
        client.get(url)


class TestMissingTranslations:
    def test_a_member_entered_with_only_a_japanese_name_has_a_page_and_a_placeholder(self, client):
        # modeltranslation leaves the other language's columns NULL, not "".
        m = Member.objects.create(
            family_name_ja="山田", given_name_ja="花子", family_name_en=None, given_name_en=None
        )
        for lang in ("ja", "en"):
            html = html_of(client, f"/{lang}/members/{m.slug}/")
            assert "山田" in html
        assert m.initials == "山田"

    def test_a_member_without_a_latin_given_name_gets_the_family_initial(self):
        m = Member.objects.create(family_name_en="Yamada", given_name_en=None)
        assert m.initials == "Y"
