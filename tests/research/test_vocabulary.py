"""The starter vocabulary (research/content/vocabulary.toml): what ships, and how it loads."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from publications import search
from publications.models import Keyword, alias_lines
from research.content import loader

JAPANESE = re.compile(f"[{search.text.JAPANESE_SCRIPT}]")


@pytest.fixture(scope="module")
def shipped():
    """Every term as loaded: lab.toml's keywords merged with the vocabulary's terms."""
    lab = loader.read_content()
    return loader.merge_vocabulary(lab["keywords"], loader.read_vocabulary())


def words(spelling):
    return " ".join(token.text for token in search.tokenise(search.fold(spelling)))


def spellings(term):
    names = [term["name_ja"], term["name_en"]]
    return names + term.get("aliases_ja", []) + term.get("aliases_en", [])


# --- the shipped file ----------------------------------------------------------------


def test_ships_hundreds_of_terms_besides_the_seed_keywords(shipped):
    lab_slugs = {entry["slug"] for entry in loader.read_content()["keywords"]}
    assert len([t for t in shipped if t["slug"] not in lab_slugs]) >= 300
    # Every seed keyword is there, with other spellings for most of them.
    assert lab_slugs <= {t["slug"] for t in shipped}
    with_aliases = [t for t in shipped if t["slug"] in lab_slugs and spellings(t)[2:]]
    assert len(with_aliases) >= 40


def test_every_term_has_a_japanese_and_an_english_name(shipped):
    for term in shipped:
        assert term["name_ja"].strip() and term["name_en"].strip(), term["slug"]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", term["slug"]), term["slug"]


def test_no_spelling_belongs_to_two_terms(shipped):
    """A query naming a shared spelling would widen to two unrelated concepts."""
    owners = {}
    for term in shipped:
        for spelling in spellings(term):
            owners.setdefault(words(spelling), set()).add(term["slug"])
    shared = {spelling: slugs for spelling, slugs in owners.items() if len(slugs) > 1}
    assert shared == {}


def test_spellings_are_filed_under_their_language(shipped):
    """Japanese aliases are written in Japanese script (mixed forms such as Liイオン電池
    included), English ones in Latin letters; no Japanese spelling is a single
    character, which would match inside unrelated words (水 in 水素)."""
    for term in shipped:
        for alias in term.get("aliases_ja", []):
            assert JAPANESE.search(alias), (term["slug"], alias)
            assert len(alias) >= 2, (term["slug"], alias)
        for alias in term.get("aliases_en", []):
            assert not JAPANESE.search(alias), (term["slug"], alias)
        assert len(term["name_ja"]) >= 2, term["slug"]


def test_the_fields_acronyms_are_spelt_out_in_both_languages(shipped):
    by_spelling = {words(s): t for t in shipped for s in spellings(t)}
    for acronym, japanese, english in [
        ("EELS", "電子エネルギー損失分光", "electron energy-loss spectroscopy"),
        ("TEM", "透過電子顕微鏡", "transmission electron microscopy"),
        ("DFT", "密度汎関数理論", "density functional theory"),
        ("XANES", "X線吸収端近傍構造", "X-ray absorption near-edge structure"),
        ("LIB", "リチウムイオン電池", "lithium-ion batteries"),
    ]:
        term = by_spelling[words(acronym)]
        assert by_spelling[words(japanese)] is term, acronym
        assert by_spelling[words(english)] is term, acronym
    first_principles = by_spelling[words("第一原理計算")]
    assert by_spelling[words("ab initio")] is first_principles
    assert by_spelling[words("DFT")] is not first_principles  # its own term


# --- loading -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_loads_terms_with_aliases_in_both_languages(lab_content):
    eels = Keyword.objects.get(slug="electron-energy-loss-spectroscopy")
    assert eels.name_ja == "電子エネルギー損失分光法"
    assert "電子線エネルギー損失分光法" in alias_lines(eels.aliases_ja)
    assert "EELS" in alias_lines(eels.aliases_en)
    assert not eels.publications.exists()  # terms tag no paper unless lab.toml says so
    # A seed keyword keeps lab.toml's names and gains the vocabulary's spellings.
    elnes = Keyword.objects.get(slug="elnes")
    assert (elnes.name_ja, elnes.name_en) == ("ELNES", "ELNES")
    assert "electron energy-loss near-edge structure" in alias_lines(elnes.aliases_en)
    assert elnes.publications.count() > 10


@pytest.mark.django_db
def test_broad_seed_keywords_do_not_link_themes(lab_content):
    broad = set(Keyword.objects.filter(links_themes=False).values_list("slug", flat=True))
    assert broad == {"spectral-analysis", "lattice-defects", "machine-learning"}


@pytest.mark.django_db
def test_second_load_changes_nothing_and_keeps_staff_spellings(lab_content):
    eels = Keyword.objects.get(slug="electron-energy-loss-spectroscopy")
    eels.aliases_en += "\nEEL spectroscopy"
    eels.save()
    out = StringIO()
    call_command("load_lab_content", stdout=out)
    assert "nothing changed" in out.getvalue()
    eels.refresh_from_db()
    assert alias_lines(eels.aliases_en)[-1] == "EEL spectroscopy"


@pytest.mark.django_db
def test_a_shipped_spelling_removed_in_the_admin_comes_back_on_reload(lab_content):
    eels = Keyword.objects.get(slug="electron-energy-loss-spectroscopy")
    eels.aliases_en = ""
    eels.save()
    out = StringIO()
    call_command("load_lab_content", stdout=out)
    assert "updated 1 vocabulary terms" in out.getvalue()
    eels.refresh_from_db()
    assert "EELS" in alias_lines(eels.aliases_en)


def write(tmp_path, text):
    path = tmp_path / "vocabulary.toml"
    path.write_text(text, encoding="utf-8")
    return path


TERM = """
[[terms]]
slug = "{slug}"
name_ja = "{ja}"
name_en = "{en}"
aliases_en = [{aliases}]
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "terms, message",
    [
        (
            [
                ("tem", "透過電子顕微鏡法", "TEM imaging", '"TEM"'),
                ("stem", "走査透過電子顕微鏡法", "STEM imaging", '"tem"'),
            ],
            "“tem” is a spelling of two terms: tem and stem.",
        ),
        (
            [
                ("tem", "透過電子顕微鏡法", "TEM imaging", ""),
                ("tem", "透過電子顕微鏡", "Transmission electron microscopy", ""),
            ],
            "the slug “tem” is used twice",
        ),
        ([("tem", "", "TEM imaging", "")], "tem: needs a name in both languages"),
        ([("TEM", "透過電子顕微鏡法", "TEM imaging", "")], "the slug must be lowercase ASCII"),
        (
            [("elnes", "エルネス", "ELNES", "")],
            "name_ja differs from lab.toml's",
        ),
        (
            [("sem", "走査電子顕微鏡法", "Scanning electron microscopy", '"Lattice defects"')],
            "“Lattice defects” is a spelling of two terms: lattice-defects and sem.",
        ),
    ],
    ids=["shared-alias", "repeated-slug", "missing-name", "bad-slug", "renames-seed", "seed-name"],
)
def test_a_contradictory_vocabulary_is_refused_whole(tmp_path, terms, message):
    text = "".join(
        TERM.format(slug=slug, ja=ja, en=en, aliases=aliases) for slug, ja, en, aliases in terms
    )
    with pytest.raises(loader.ContentError) as error:
        loader.load_lab_content(vocabulary_path=write(tmp_path, text))
    assert message in str(error.value)
    assert not Keyword.objects.exists()  # nothing written: lab.toml's keywords neither


@pytest.mark.django_db
def test_a_keyword_made_by_staff_with_a_shipped_spelling_stops_the_load(lab_content):
    Keyword.objects.create(slug="tem-imaging", name_ja="TEM観察", name_en="TEM")
    with pytest.raises(CommandError) as error:
        call_command("load_lab_content", stdout=StringIO())
    assert "Nothing loaded" in str(error.value)
    assert "tem-imaging" in str(error.value)
    assert "transmission-electron-microscopy" in str(error.value)


# --- broader and narrower terms ------------------------------------------------------------


def test_shipped_broader_terms_exist_and_form_no_cycle(shipped):
    """merge_vocabulary refuses unknown slugs and cycles; this walks the shipped relation
    itself, so a broken check cannot let a cycle through."""
    broader = {term["slug"]: term.get("broader", []) for term in shipped}
    assert sum(map(len, broader.values())) >= 200
    for slug, parents in broader.items():
        assert set(parents) <= broader.keys(), slug
        seen, frontier = set(), set(parents)
        while frontier:
            assert slug not in frontier, slug
            seen |= frontier
            frontier = {p for f in frontier for p in broader[f]} - seen


def test_shipped_hierarchy_puts_specific_terms_under_their_family(shipped):
    broader = {term["slug"]: set(term.get("broader", [])) for term in shipped}

    def above(slug):
        found, frontier = set(), {slug}
        while frontier:
            frontier = {p for f in frontier for p in broader[f]} - found
            found |= frontier
        return found

    assert {"electron-energy-loss-spectroscopy", "core-level-spectroscopy"} <= above("elnes")
    assert "x-ray-absorption-spectroscopy" in above("xanes") & above("exafs")
    assert "transmission-electron-microscopy" in above("haadf-stem") & above("high-resolution-tem")
    assert {"perovskite-oxides", "oxides"} <= above("strontium-titanate")
    assert {"lithium-ion-batteries", "batteries"} <= above("lithium-cobalt-oxide")
    assert "first-principles-calculations" in above("density-functional-theory")
    assert {"interfaces", "lattice-defects"} <= above("grain-boundaries")
    assert "machine-learning" in above("graph-neural-networks")
    # Only the nearest broader term is given: search follows the chain.
    for slug, parents in broader.items():
        for parent in parents:
            assert not any(parent in above(other) for other in parents - {parent}), slug
    # Umbrella fields are nobody's broader term: a query for them would return everything.
    umbrellas = {"materials-science", "solid-state-physics", "condensed-matter-physics"}
    assert not umbrellas & set().union(*broader.values())
    # Low-loss EELS (plasmons, band gaps) is not core-level: only ELNES is.
    assert "core-level-spectroscopy" not in above("electron-energy-loss-spectroscopy")


@pytest.mark.django_db
def test_loads_broader_terms_and_keeps_staff_relations(lab_content):
    elnes = Keyword.objects.get(slug="elnes")
    assert set(elnes.broader.values_list("slug", flat=True)) == {
        "electron-energy-loss-spectroscopy",
        "core-level-spectroscopy",
    }
    eels = Keyword.objects.get(slug="electron-energy-loss-spectroscopy")
    assert elnes in eels.narrower.all()
    # A relation staff added in the admin survives a reload, which changes nothing.
    plasmons = Keyword.objects.get(slug="plasmons")
    plasmons.broader.add(eels)
    out = StringIO()
    call_command("load_lab_content", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert eels in plasmons.broader.all()


@pytest.mark.django_db
def test_a_shipped_relation_removed_in_the_admin_comes_back_on_reload(lab_content):
    elnes = Keyword.objects.get(slug="elnes")
    elnes.broader.clear()
    out = StringIO()
    call_command("load_lab_content", stdout=out)
    assert "created 2 broader relations" in out.getvalue()
    assert elnes.broader.count() == 2


BROADER = """
[[terms]]
slug = "{slug}"
name_ja = "{ja}"
name_en = "{en}"
broader = [{broader}]
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "terms, message",
    [
        (
            [("stem", "走査透過電子顕微鏡法", "STEM imaging", '"tem-imaging"')],
            "stem: the broader term “tem-imaging” is not a term of the files.",
        ),
        (
            [("stem", "走査透過電子顕微鏡法", "STEM imaging", '"stem"')],
            "stem: a term cannot be broader than itself.",
        ),
        (
            [
                ("stem", "走査透過電子顕微鏡法", "STEM imaging", '"tem"'),
                ("tem", "透過電子顕微鏡法", "TEM imaging", '"stem"'),
            ],
            "the broader terms form a cycle: stem → tem → stem.",
        ),
        (
            [("stem", "走査透過電子顕微鏡法", "STEM imaging", "1")],
            "broader must be a list of slugs.",
        ),
    ],
    ids=["unknown-slug", "itself", "cycle", "not-slugs"],
)
def test_a_broken_hierarchy_is_refused_whole(tmp_path, terms, message):
    text = "".join(
        BROADER.format(slug=slug, ja=ja, en=en, broader=broader) for slug, ja, en, broader in terms
    )
    with pytest.raises(loader.ContentError) as error:
        loader.load_lab_content(vocabulary_path=write(tmp_path, text))
    assert message in str(error.value)
    assert not Keyword.objects.exists()


@pytest.mark.django_db
def test_a_staff_relation_closing_a_cycle_with_a_shipped_one_stops_the_load(lab_content):
    # Staff made EELS narrower than ELNES; the file says the opposite.
    elnes = Keyword.objects.get(slug="elnes")
    eels = Keyword.objects.get(slug="electron-energy-loss-spectroscopy")
    elnes.broader.remove(eels)
    eels.broader.add(elnes)
    with pytest.raises(CommandError) as error:
        call_command("load_lab_content", stdout=StringIO())
    assert "cycle" in str(error.value)
    assert "remove it there" in str(error.value)
    assert not elnes.broader.filter(pk=eels.pk).exists()  # nothing written


@pytest.mark.django_db
def test_a_search_for_a_broader_term_finds_the_papers_of_the_shipped_narrower_ones(lab_content):
    """The lab's XANES papers are found by a search for XAS (a vocabulary term that tags
    no paper) through the shipped relation XANES → XAFS → X-ray absorption spectroscopy."""
    from publications.models import Publication

    xanes = Keyword.objects.get(slug="xanes")
    assert not xanes.broader.filter(slug="x-ray-absorption-spectroscopy").exists()  # 2 levels
    papers = set(xanes.publications.values_list("pk", flat=True))
    assert papers
    results = search.PublicationSearch(Publication.objects.all(), "XAS")
    assert papers <= {paper.pk for paper in results[0:1000]}
