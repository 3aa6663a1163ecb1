import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from publications import names
from publications.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mizoguchi():
    person = Person.objects.create(
        family_name_ja="溝口", given_name_ja="照康", family_name_en="Mizoguchi",
        given_name_en="Teruyasu", is_lab_member=True,
    )  # fmt: skip
    return person


@pytest.mark.parametrize(
    "printed",
    [
        "T. Mizoguchi",
        "T.Mizoguchi",
        "Mizoguchi, Teruyasu",
        "Teruyasu Mizoguchi",
        "溝口 照康",
        "Mizoguchi, T.",
    ],
)
def test_every_citation_spelling_resolves_to_one_person(mizoguchi, printed):
    assert Person.objects.resolve(printed) == mizoguchi


def test_initials_with_and_without_spaces_are_one_person():
    chen = Person.objects.resolve_or_create("PY. Chen")
    assert Person.objects.resolve_or_create("P. Y. Chen") == chen
    assert Person.objects.count() == 1


def test_different_initials_are_different_people():
    kiyou = Person.objects.resolve_or_create("K. Shibata")
    naoya = Person.objects.resolve_or_create("Naoya Shibata")
    assert kiyou != naoya


def test_ambiguous_initials_prefer_the_single_lab_member():
    member = Person.objects.create(
        family_name_en="Yamamoto", given_name_en="Takafumi", is_lab_member=True
    )
    Person.objects.create(family_name_en="Yamamoto", given_name_en="Tomoyuki")
    assert Person.objects.resolve("T. Yamamoto") == member


def test_ambiguous_initials_without_a_lab_member_create_nobody_wrong():
    Person.objects.create(family_name_en="Yamamoto", given_name_en="Takafumi")
    Person.objects.create(family_name_en="Yamamoto", given_name_en="Tomoyuki")
    assert Person.objects.resolve("T. Yamamoto") is None


def test_kanji_name_is_never_reduced_to_initials():
    person = Person.objects.resolve_or_create("山田 太郎")
    assert (person.family_name_ja, person.given_name_ja) == ("山田", "太郎")
    with translation.override("ja"):
        assert str(person) == "山田 太郎"
    with translation.override("en"):
        assert str(person) == "山田 太郎"  # no romanisation known: kanji, family first


def test_names_are_family_first_in_japanese_and_given_first_in_english(mizoguchi):
    with translation.override("ja"):
        assert str(mizoguchi) == "溝口 照康"
    with translation.override("en"):
        assert str(mizoguchi) == "Teruyasu Mizoguchi"


def test_kanji_does_not_match_a_different_kanji_name(mizoguchi):
    assert Person.objects.resolve("溝口 太郎") is None


def test_orcid_is_unique_when_given():
    Person.objects.create(family_name_en="A", orcid="0000-0002-1825-0097")
    Person.objects.create(family_name_en="B")
    Person.objects.create(family_name_en="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(family_name_en="D", orcid="0000-0002-1825-0097")


@pytest.mark.parametrize(
    ("printed", "family", "given", "initials"),
    [
        ("PY. Chen", "Chen", "PY.", "PY"),
        ("P. Y. Chen", "Chen", "P. Y.", "PY"),
        ("Min-Su Kim", "Kim", "Min-Su", "MS"),
        ("Evgeny Y Tsymbal", "Tsymbal", "Evgeny Y", "EY"),
        ("Mizoguchi, Teruyasu", "Mizoguchi", "Teruyasu", "T"),
        ("ＴＡＮＡＫＡ，Ｉ．", "TANAKA", "I.", "I"),
    ],
)
def test_split_name(printed, family, given, initials):
    parts = names.split_name(printed)
    assert (parts.family, parts.given, names.initials(parts.given)) == (family, given, initials)
