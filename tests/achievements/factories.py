"""Presentations, awards and patents for tests."""

import datetime
import itertools

from achievements.models import (
    Award,
    AwardRecipient,
    Patent,
    PatentInventor,
    Presentation,
    PresentationAuthor,
)

_counter = itertools.count(1)


def presentation(people=(), presenter=0, date=datetime.date(2025, 9, 12), **fields):
    n = next(_counter)
    if not fields.get("title_ja"):
        fields.setdefault("title_en", f"Talk number {n}")
    if not fields.get("meeting_ja"):
        fields.setdefault("meeting_en", "Microscopy Conference")
    item = Presentation.objects.create(date=date, **fields)
    PresentationAuthor.objects.bulk_create(
        PresentationAuthor(
            presentation=item, person=person, position=i, is_presenter=(i - 1 == presenter)
        )
        for i, person in enumerate(people, 1)
    )
    return item


def award(people=(), date=datetime.date(2025, 3, 1), **fields):
    n = next(_counter)
    if not fields.get("name_ja"):
        fields.setdefault("name_en", f"Award number {n}")
    item = Award.objects.create(date=date, **fields)
    AwardRecipient.objects.bulk_create(
        AwardRecipient(award=item, person=person, position=i) for i, person in enumerate(people, 1)
    )
    return item


def patent(people=(), filed_on=datetime.date(2024, 6, 1), **fields):
    n = next(_counter)
    if not fields.get("title_ja"):
        fields.setdefault("title_en", f"Patent number {n}")
    item = Patent.objects.create(filed_on=filed_on, **fields)
    PatentInventor.objects.bulk_create(
        PatentInventor(patent=item, person=person, position=i) for i, person in enumerate(people, 1)
    )
    return item
