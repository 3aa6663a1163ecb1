"""The list read path (publications/listing.py): papers made from rows read like papers."""

import pytest
from django.utils import translation

from publications.models import Keyword, Publication
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_listed_paper_shows_what_the_model_shows():
    lab = factories.person(family_en="Mizoguchi", given_en="Teruyasu", lab=True)
    other = factories.person(family_en="Chen", given_en="Po-Yen", family_name_ja="陳")
    paper = factories.paper(
        title_en="ELNES of defects",
        title_ja="欠陥のELNES",
        authors=[other, lab],
        note_en="Best paper award",
        status="in-press",
        type="conference",
        doi="10.1000/x1",
    )
    listed = Publication.objects.filter(pk=paper.pk).for_list().get()
    whole = Publication.objects.get(pk=paper.pk)
    for language in ("ja", "en"):
        with translation.override(language):
            assert listed.title == whole.title
            assert listed.note == whole.note
            assert listed.get_status_display() == whole.get_status_display()
            assert listed.get_type_display() == whole.get_type_display()
            assert listed.get_absolute_url() == whole.get_absolute_url()
            assert [str(a.person) for a in listed.ordered_authorships] == [
                str(a.person) for a in whole.ordered_authorships
            ]
    assert [a.person.is_lab_member for a in listed.ordered_authorships] == [False, True]
    assert listed == whole


def test_a_column_a_list_does_not_read_is_loaded_when_asked_for():
    paper = factories.paper(abstract_en="What the paper found.")
    listed = Publication.objects.filter(pk=paper.pk).for_list().get()
    assert "abstract_en" not in listed.__dict__
    assert listed.abstract_en == "What the paper found."


def test_authors_come_in_order_for_every_paper_of_a_list(django_assert_num_queries):
    people = [factories.person() for _ in range(4)]
    first = factories.paper(year=2021, authors=people[:3])
    second = factories.paper(year=2020, authors=[people[3], people[0]])
    with django_assert_num_queries(2):
        papers = list(Publication.objects.newest_first().for_list())
        names = [[a.person_id for a in p.ordered_authorships] for p in papers]
    assert [p.pk for p in papers] == [first.pk, second.pk]
    assert names == [[p.pk for p in people[:3]], [people[3].pk, people[0].pk]]


def test_listed_authors_read_like_the_model_on_either_database():
    member = factories.person(family_en="Mizoguchi", lab=True)
    guest = factories.person(family_en="Guest")
    paper = factories.paper(authors=[guest, member])
    paper.authorships.filter(person=guest).update(as_printed="G. Guest-Printed")
    alone = factories.paper(authors=[])
    listed = {p.pk: p for p in Publication.objects.for_list()}
    authorships = listed[paper.pk].ordered_authorships
    assert [(a.position, a.as_printed) for a in authorships] == [(1, "G. Guest-Printed"), (2, "")]
    # A boolean, as the model gives it, from the SQL on either database.
    assert [a.person.is_lab_member for a in authorships] == [False, True]
    assert all(type(a.person.is_lab_member) is bool for a in authorships)
    assert [a.person.slug for a in authorships] == [guest.slug, member.slug]
    assert list(listed[alone.pk].ordered_authorships) == []


def test_search_annotations_reach_listed_papers():
    elnes = factories.keyword(name_en="ELNES", name_ja="ELNES")
    tagged = factories.paper(title_en="Spectra", keywords=[elnes], year=2019)
    factories.paper(title_en="ELNES in a title", year=2022)
    results = list(Publication.objects.search("ELNES").for_list())
    assert [(p.pk == tagged.pk, p.keyword_match) for p in results] == [(True, True), (False, False)]


def test_papers_sharing_keywords_are_the_same_from_a_list_or_a_queryset():
    ks = [factories.keyword() for _ in range(3)]
    sharing = [factories.paper(keywords=[ks[0]]), factories.paper(keywords=[ks[1], ks[2]])]
    factories.paper(keywords=[factories.keyword()])
    keywords = Keyword.objects.filter(pk__in=[k.pk for k in ks[:2]])
    from_queryset = set(Publication.objects.sharing_keywords(keywords))
    read = list(keywords)  # already read: sent as ids
    assert set(Publication.objects.sharing_keywords(read)) == from_queryset == set(sharing)
    assert not Publication.objects.sharing_keywords([]).exists()


def test_a_paper_read_with_its_authors_shows_the_new_list_after_set_authors():
    paper = factories.paper(authors=[factories.person(family_en="Old")])
    read = Publication.objects.with_authors().get(pk=paper.pk)
    read.set_authors(["K. Shibata", "T. Mizoguchi"])
    assert [a.as_printed for a in read.ordered_authorships] == ["K. Shibata", "T. Mizoguchi"]
