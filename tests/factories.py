"""Plain factory functions for tests: papers, people, keywords and themes in bulk."""

import itertools

from publications.models import Authorship, Keyword, Person, Publication
from research.models import LabProfile, RepresentativePublication, ResearchTheme

_counter = itertools.count(1)


def keyword(name_en=None, name_ja=None, slug=None):
    n = next(_counter)
    return Keyword.objects.create(
        name_en=name_en or f"Keyword {n}",
        name_ja=name_ja or f"キーワード{n}",
        slug=slug or f"kw-{n}",
    )


def person(family_en=None, given_en="A.", lab=False, **names):
    n = next(_counter)
    return Person.objects.create(
        family_name_en=family_en or f"Author{n}", given_name_en=given_en, is_lab_member=lab, **names
    )


def paper(title_en=None, year=2020, authors=(), keywords=(), **fields):
    n = next(_counter)
    publication = Publication.objects.create(
        title_en=title_en or f"Paper number {n}",
        year=year,
        venue=fields.pop("venue", "J. Test"),
        **fields,
    )
    Authorship.objects.bulk_create(
        Authorship(publication=publication, person=p, position=i) for i, p in enumerate(authors, 1)
    )
    publication.keywords.set(keywords)
    return publication


def many_papers(count, authors_each=3, keywords=(), start_year=2000):
    """`count` published papers, each with its own authors (one lab member) and the keywords."""
    people = [person(lab=(i == 0)) for i in range(authors_each)]
    papers = [
        paper(year=start_year + i % 25, authors=people, keywords=keywords) for i in range(count)
    ]
    return papers


def theme(title_en=None, keywords=(), representatives=(), **fields):
    n = next(_counter)
    fields.setdefault("title_ja", f"テーマ{n}")
    obj = ResearchTheme.objects.create(
        title_en=title_en or f"Theme {n}", slug=f"theme-{n}", **fields
    )
    obj.keywords.set(keywords)
    RepresentativePublication.objects.bulk_create(
        RepresentativePublication(theme=obj, publication=p, order=i)
        for i, p in enumerate(representatives, 1)
    )
    return obj


# A lab profile with everything the header, the footer and the Access page can show
# (the lab's content states none of it: these are test values).
FILLED_PROFILE = {
    "name_ja": "溝口研究室",
    "name_en": "Mizoguchi Laboratory",
    "university_ja": "東京大学",
    "university_en": "The University of Tokyo",
    "department_ja": "生産技術研究所",
    "department_en": "Institute of Industrial Science",
    "postal_code": "153-8505",
    "address_ja": "東京都目黒区駒場4-6-1",
    "address_en": "4-6-1 Komaba, Meguro-ku, Tokyo",
    "map_url": "https://maps.example.org/?q=komaba",
    "directions_ja": "**駒場東大前駅**から徒歩10分。",
    "directions_en": "Ten minutes' walk from **Komaba-todaimae** station.",
    "email": "lab@iis.example.ac.jp",
    "phone": "03-5452-6000",
}


def fill_lab_profile():
    profile = LabProfile.load()
    for name, value in FILLED_PROFILE.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def lab_news():
    """Two news items beside the lab's content: one linking a paper and the members, one
    in Japanese only (the seed has no news)."""
    import datetime

    from news.models import NewsItem
    from publications.models import Publication
    from research.models import Member

    item = NewsItem.objects.create(
        title_ja="論文が Microscopy に掲載されました",
        title_en="Our paper appeared in Microscopy",
        slug="paper-in-microscopy",
        body_ja="ELNES/XANES の**データ駆動解析**の総説です。\n\n- 第一原理計算\n- 機械学習",
        body_en="A review of **data-driven** ELNES/XANES analysis.\n\n- First principles\n- ML",
        date=datetime.date(2026, 4, 1),
    )
    item.publications.set(Publication.objects.filter(doi="10.1093/jmicro/dfaf038"))
    item.members.set(Member.objects.all())
    NewsItem.objects.create(
        title_ja="研究室見学会のお知らせ", slug="open-lab", date=datetime.date(2026, 5, 20)
    )
    return item
