"""The admin hostile-input probe (issue 19): every admin path of the BibTeX import, and the
change forms of papers, keywords and people, answer hostile input with a 4xx (or a page
saying what is wrong), never a 5xx, in both languages, and nothing is half-written.

Hostile: bodies over the request limit, garbled and NUL bytes, broken UTF-8, overlong
fields, ids that do not exist or do not fit a database integer, random query strings
and methods the views do not expect (docs/limits.md, "Hostile input on the admin's paths").
"""

import random
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publications.bibtex import importer
from publications.models import (
    ImportBatch,
    ImportItem,
    ImportRow,
    Keyword,
    NameVariant,
    Person,
    Publication,
)

pytestmark = pytest.mark.django_db

GOOD = "@article{good, author = {Probe, A.}, title = {A probed paper}, year = 2021}\n"
HUGE_ID = "9" * 30  # fits the URL's int converter, not a database integer
RNG = random.Random(19)


def garbage(size):
    return bytes(RNG.randrange(256) for _ in range(size))


def random_queries():
    """Query strings a scanner sends: parameters the views read, and noise."""
    noise = quote(garbage(40).decode("latin-1"))
    return [
        "?page=-1&status=%3Cscript%3E",
        f"?page={HUGE_ID}&status=error",
        "?status=%00&page=%FF%FE",
        f"?q={'%00' * 20}&o=zz&p=-5&all=&_changelist_filters=%E0%80",
        f"?{noise}={noise}",
        "?" + "&".join(f"a{n}=b" for n in range(200)),
    ]


BODIES = [
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data; name="),
    ("multipart/form-data", b"no boundary at all"),
    ("application/x-www-form-urlencoded", b"title_en=\xff\xfe\x00&year=\xc3\x28&%ZZ=%"),
    ("application/x-www-form-urlencoded", b"text=%00%00%00&file=&keywords=99999999999999999999"),
    ("application/json", b'{"choice-1": [1, 2, {"x": null}], "digest": 0}'),
    ("text/plain", garbage(5000)),
]


def hostile_posts(number):
    """Form data that is wrong in every way a form can be, for any of the paths."""
    long_text = "長" * 100_001
    return [
        {"title_en": long_text, "title_ja": "\x00", "year": "99999999999999999999"},
        {"name_en": "x" * 101, "name_ja": "\x00", "slug": "../../etc"},
        {"family_name_en": "y" * 101, "given_name_en": "\x00", "is_lab_member": "maybe"},
        {"text": "@article{x, title = {" + "{" * 5000 + "}", "keywords": ["abc", HUGE_ID]},
        {"text": "\x00" * 1000, "unpublished": "perhaps"},
        {"file": SimpleUploadedFile("a.bib", garbage(20_000)), "text": ""},
        {"file": SimpleUploadedFile("b.bib", b"@article{k, title={\xff\xfe broken}}")},
        {"file": SimpleUploadedFile("c.bib", "@article{k, title={ok}}".encode("utf-16"))},
        {f"choice-{number}": f"update:{HUGE_ID}", "digest": "<script>", "skip_errors": "2"},
        {f"choice-{HUGE_ID}": "new", "choice-x": "skip", "save": "1"},
        {f"choice-{number}": "delete everything", "confirm": "1"},
        {"cancel": "", "digest": "0" * 64, "choice-0": "new"},
    ]


@pytest.fixture
def world(db):
    """A superuser, a paper with an author and a keyword, a pending and an applied import."""
    admin = User.objects.create_superuser("probe", password="x")
    keyword = Keyword.objects.create(name_en="Probing")
    person = Person.objects.create(family_name_en="Existing", given_name_en="E.")
    paper = Publication.objects.create(title_en="A stored paper", year=2020)
    paper.authorships.create(person=person, position=1)
    applied, _plan = importer.start(text=GOOD.replace("good", "applied"))
    importer.confirm(applied)
    pending, _plan = importer.start(text=GOOD.replace("probed", "pending") + "@broken{")
    return {"admin": admin, "paper": paper, "keyword": keyword, "person": person,
            "applied": applied, "pending": pending}  # fmt: skip


def paths(world):
    batch = "admin:publications_importbatch_"
    ids = [world["pending"].pk, world["applied"].pk, 0, HUGE_ID]
    result = [reverse("admin:publications_publication_import")]
    for pk in ids:
        for name in ("preview", "progress", "undo", "change"):
            result.append(reverse(f"{batch}{name}", args=[pk]).replace("/0/", f"/{pk}/"))
    for model, obj in (("publication", "paper"), ("keyword", "keyword"), ("person", "person")):
        result += [
            reverse(f"admin:publications_{model}_add"),
            reverse(f"admin:publications_{model}_change", args=[world[obj].pk]),
            reverse(f"admin:publications_{model}_change", args=[HUGE_ID]),
            reverse(f"admin:publications_{model}_changelist"),
        ]
    result.append(reverse(f"{batch}changelist"))
    return result


def state():
    """What hostile input must not change (the pending batch's preview rows included)."""
    return {
        "papers": list(Publication.objects.order_by("pk").values_list("pk", "title_en", "year")),
        "people": list(Person.objects.order_by("pk").values_list("pk", "family_name_en")),
        "keywords": list(Keyword.objects.order_by("pk").values_list("pk", "name_en")),
        "variants": NameVariant.objects.count(),
        "items": ImportItem.objects.count(),
        "batches": list(ImportBatch.objects.order_by("pk").values_list("pk", "status")),
    }


def whole(batch):
    """A pending batch is either planned in full (its rows all there) or waiting for the worker."""
    rows = ImportRow.objects.filter(batch=batch).count()
    return batch.job or rows == batch.plan_summary.get("total")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_hostile_input_on_every_admin_path_is_never_a_5xx_and_writes_nothing(
    client, world, settings, language
):
    settings.LABSITE_MAX_REQUEST_BYTES = 64 * 1024  # "huge", cheaply: the bound, passed
    client.force_login(world["admin"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    client.raise_request_exception = False  # a 500 is an answer here, counted below
    before = state()
    answers = []
    for path in paths(world):
        requests = [("GET", path + query, None, None) for query in random_queries()]
        requests += [(m, path, None, None) for m in ("PUT", "PATCH", "DELETE", "OPTIONS")]
        requests += [("POST", path, body, kind) for kind, body in BODIES]
        requests.append(("POST", path, b"x" * (100 * 1024), "application/octet-stream"))
        for method, url, body, kind in requests:
            if body is None:
                response = client.generic(method, url)
            else:
                response = client.generic(method, url, body, content_type=kind)
            answers.append((method, url, response.status_code))
        for data in hostile_posts(1):
            response = client.post(path, data)
            answers.append(("POST form", path, response.status_code))
        # A new pending batch from an upload would be a valid import; none may be half there.
        assert all(whole(batch) for batch in ImportBatch.objects.pending())
    failures = [answer for answer in answers if answer[2] >= 500]
    assert not failures, failures[:40]
    assert len(answers) > 800
    after = state()
    # What a POST may do without being an attack on anything: a "cancel" deletes the
    # pending preview; a post to an undo page queues that undo (the CSRF check, off in
    # the test client, is what stops a forged one); a text that parses to an error row
    # is a new preview of it (whole, checked above). Nothing else, and nothing applied.
    pending = world["pending"].pk
    after["batches"] = [b for b in after["batches"] if b[0] != pending and b[1] != "pending"]
    before["batches"] = [b for b in before["batches"] if b[0] != pending]
    assert after == before
