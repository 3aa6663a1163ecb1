"""Math in titles and abstracts: shown as math on public pages, as plain text where no
markup goes (<title>, meta tags, feeds, search), safely and under the CSP."""

import json
import re
import subprocess

import pytest
from django.utils import translation

from publications.markup import math_html, math_plain, render_markdown
from tests import factories
from tests.quality import JAVA, VNU_JAR


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")


@pytest.mark.parametrize(
    ("stored", "html", "plain"),
    [
        ("SrTiO$_3$ surfaces", "SrTiO<sub>3</sub> surfaces", "SrTiO3 surfaces"),
        (r"$\alpha$-Fe$_2$O$_3$", "α-Fe<sub>2</sub>O<sub>3</sub>", "α-Fe2O3"),
        (
            r"$\mathrm{MoS}_2$ and Li$_{0.5}$CoO$_2$",
            "MoS<sub>2</sub> and Li<sub>0.5</sub>CoO<sub>2</sub>",
            "MoS2 and Li0.5CoO2",
        ),
        (
            r"Fe$^{2+}$ costs \$5 & <b>",
            "Fe<sup>2+</sup> costs $5 &amp; &lt;b&gt;",
            "Fe^2+ costs $5 & <b>",
        ),
        ("no math & <i>", "no math &amp; &lt;i&gt;", "no math & <i>"),
    ],
)  # fmt: skip
def test_chemical_formulas_become_sub_and_superscripts_and_plain_text(stored, html, plain):
    assert str(math_html(stored)) == html
    assert math_plain(stored) == plain


def test_general_math_becomes_sanitised_mathml():
    html = str(math_html(r"Energy $E = mc^2$ and $\frac{a}{b}$"))
    assert html.startswith("Energy <math") and "<msup><mi>c</mi><mn>2</mn></msup>" in html
    assert "<mfrac>" in html and "style" not in html


@pytest.mark.parametrize(
    "stored",
    [r"$\href{javascript:alert(1)}{x}$", "$<script>alert(1)</script>$", r"$\style{color:red}{x}$"],
)
def test_math_cannot_inject_script_links_or_styles(stored):
    html = str(math_html(stored)) + str(render_markdown(f"Abstract {stored}", math=True))
    assert "<script" not in html and "javascript:" not in html and "style=" not in html
    assert "href" not in html


def test_broken_math_is_shown_as_written():
    assert str(math_html(r"a $\frac{x$ b")) == r"a $\frac{x$ b"


def test_abstract_markdown_does_not_read_subscripts_as_emphasis():
    html = str(render_markdown(r"Fe$_2$O$_3$ and *really* Fe$_2$O$_3$", math=True))
    assert html == (
        "<p>Fe<sub>2</sub>O<sub>3</sub> and <em>really</em> Fe<sub>2</sub>O<sub>3</sub></p>"
    )


@pytest.mark.django_db
def test_a_papers_pages_show_math_as_math_and_plain_text_where_no_markup_goes(client):
    paper = factories.paper(
        r"Two-dimensional electrons at SrTiO$_3$ and $\alpha$-Fe$_2$O$_3$",
        abstract_en=r"We grew SrTiO$_3$ films.",
    )
    listing = client.get("/en/publications/").content.decode()
    assert "SrTiO<sub>3</sub> and α-Fe<sub>2</sub>O<sub>3</sub></a></h3>" in listing
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "<h1>Two-dimensional electrons at SrTiO<sub>3</sub> and α-Fe<sub>2</sub>O" in page
    assert "We grew SrTiO<sub>3</sub> films." in page
    plain = "Two-dimensional electrons at SrTiO3 and α-Fe2O3"
    assert re.search(rf"<title>{plain}\b", page)
    assert f'<meta name="citation_title" content="{plain}">' in page
    assert "$" not in page.split("<article")[1].split("<details")[0]
    feed = client.get("/en/publications/feed/").content.decode()
    assert f"<title>{plain}</title>" in feed


@pytest.mark.django_db
def test_search_finds_a_formula_typed_without_math(client):
    factories.paper("Oxygen vacancies in SrTiO$_3$")
    factories.paper("Something else")
    html = client.get("/en/publications/", {"q": "SrTiO3"}).content.decode()
    assert "SrTiO<sub>3</sub>" in html and "Something else" not in html


@pytest.mark.django_db
@pytest.mark.skipif(not (JAVA and VNU_JAR.exists()), reason="Java or vnu.jar missing")
def test_pages_with_mathml_and_subscripts_are_valid_html(client, tmp_path):
    paper = factories.paper(
        r"Energy $E = mc^2$ of SrTiO$_3$ and $\frac{a}{b}$", abstract_en=r"Fe$_2$O$_3$ $x^{2}$"
    )
    files = []
    for n, url in enumerate(["/en/publications/", paper.get_absolute_url()]):
        html = client.get(url).content.decode()
        assert "<math" in html
        files.append(tmp_path / f"{n}.html")
        files[-1].write_text(html)
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    assert [m["message"] for m in messages if m["type"] == "error"] == []
