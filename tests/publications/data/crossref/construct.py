"""Writes the constructed Crossref search answers in this folder (see README.md).

    .venv/bin/python tests/publications/data/crossref/construct.py

One file per paper of research/content/lab.toml without a DOI: a `/works` answer in
Crossref's documented format (a "work-list" message of up to five items) holding the
paper as Crossref would describe it — the journal's full name, the given names, the
title's chemical formulas in <sub> markup, some printed a year after they appeared
online — and decoys: the same authors' erratum or other paper, a conference abstract
with the same title, a paper with a similar title by other people. Every DOI uses
10.5555, the prefix Crossref keeps for examples: none of them is a real paper's DOI.
"""

import json
import re
import tomllib
from pathlib import Path

HERE = Path(__file__).parent
LAB = HERE.parents[3] / "research" / "content" / "lab.toml"

FULL_VENUES = {
    "Cell Press Phys. Sci.": "Cell Reports Physical Science",
    "npj Comp. Mater.": "npj Computational Materials",
    "Science Adv.": "Science Advances",
    "J. Phys. Chem. Lett.": "The Journal of Physical Chemistry Letters",
    "J. Phys. Chem. C": "The Journal of Physical Chemistry C",
    "Acta Mater.": "Acta Materialia",
    "Appl. Phys. Lett.": "Applied Physics Letters",
    "Phys. Rev. B": "Physical Review B",
    "J. Ceram. Soc. Jpn": "Journal of the Ceramic Society of Japan",
    "J. Appl. Phys.": "Journal of Applied Physics",
    "Adv. Funct. Mater.": "Advanced Functional Materials",
    "Modelling and Simulation in Materials Science and Engineering (MSMSE)": (
        "Modelling and Simulation in Materials Science and Engineering"
    ),
}
# Papers that appeared online the year before their printed year (Crossref's `issued`).
ONLINE_EARLIER = {
    "Machine learning applications for ELNES/XANES",
    "Basics and Applications of ELNES calculation",
}
FORMULA = re.compile(r"\b([A-Z][a-z]?\d*(?:[A-Z][a-z]?\d*)+)\b")


def subscripts(title):
    """SrTiO3 → SrTiO<sub>3</sub>, as Crossref's titles mark formulas."""
    return FORMULA.sub(lambda m: re.sub(r"(\d+)", r"<sub>\1</sub>", m.group(1)), title)


def author(printed, sequence):
    printed = printed.replace("T.Mizoguchi", "T. Mizoguchi")
    given, _, family = printed.rpartition(" ")
    if family == "Mizoguchi":
        given = "Teruyasu"
    return {"given": given, "family": family, "sequence": sequence, "affiliation": []}


def authors(names):
    return [author(name, "first" if n == 0 else "additional") for n, name in enumerate(names)]


def slug(text):
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60]


def work(
    doi,
    title,
    names,
    venue,
    year,
    volume="",
    page="",
    number="",
    issued=None,
    kind="journal-article",
):
    item = {
        "DOI": doi,
        "URL": f"https://doi.org/{doi}",
        "type": kind or "journal-article",
        "title": [title],
        "author": authors(names),
        "container-title": [venue],
        "issued": {"date-parts": [[issued or year, 3, 1]]},
        "published-print": {"date-parts": [[year, 6]]},
        "volume": volume,
        "score": 0,
    }
    if page:
        item["page"] = page
    if number:
        item["article-number"] = number
    return item


def decoys(paper, papers, n):
    """Realistic look-alikes of one paper (n: its place in lab.toml, for variety)."""
    title, names, year = paper["title"], paper["authors"], paper["year"]
    venue = FULL_VENUES.get(paper["venue"], paper["venue"])
    found = [
        # The same authors' correction, a year later, in a later volume.
        work(
            f"10.5555/erratum.{n}",
            f"Erratum: {subscripts(title)}",
            names,
            venue,
            year + 1,
            volume=str(int(paper["volume"]) + 1) if paper["volume"].isdigit() else "",
            page="1",
        ),
        # A conference abstract with the same title by the same people, the same year.
        work(
            f"10.5555/abstract.{n}",
            title,
            names[:2],
            "Microscopy and Microanalysis",
            year,
            volume="29",
            page=f"{100 + n}-{101 + n}",
            kind="proceedings-article",
        ),
        # A paper on the same subject by other people: the title's first words kept.
        work(
            f"10.5555/other.{n}",
            " ".join(title.split()[: max(3, len(title.split()) // 2)]) + " revisited",
            ["A. Nakamura", "B. Schmidt"],
            venue,
            year,
            volume=paper["volume"] or "10",
            page="1-12",
        ),
    ]
    # The first author's other paper in the seed (or a plausible one), a year earlier.
    same_first = [
        p for p in papers if p is not paper and p["authors"][0] == names[0] and p.get("doi") == ""
    ]
    other = same_first[0] if same_first else None
    found.append(
        work(
            f"10.5555/same-authors.{n}",
            other["title"] if other else "First-principles study of grain boundaries in oxides",
            other["authors"] if other else names,
            FULL_VENUES.get(other["venue"], other["venue"]) if other else venue,
            year - 1,
            volume="5",
            page="200-210",
        )
    )
    return found


def right(paper, n):
    venue = FULL_VENUES.get(paper["venue"], paper["venue"])
    year = paper["year"]
    issued = year - 1 if paper["title"] in ONLINE_EARLIER else year
    title = subscripts(paper["title"])
    if n % 3 == 0:
        title = title.upper() if len(title) < 60 else title.lower()  # capitalised otherwise
    return work(
        f"10.5555/labsite.{n}",
        title,
        paper["authors"],
        venue,
        year,
        volume=paper["volume"],
        page=paper["pages"] or paper["article_number"],
        number=paper["article_number"],
        issued=issued,
    )


def main():
    content = tomllib.loads(LAB.read_text())
    papers = [p for theme in content["themes"] for p in theme.get("papers", [])]
    index = {}
    for n, paper in enumerate(papers, start=1):
        if paper.get("doi"):
            continue
        items = decoys(paper, papers, n)
        # Crossref's own relevance order is not ours: the right work goes in every place.
        items.insert(n % (len(items) + 1), right(paper, n))
        for rank, item in enumerate(items):
            item["score"] = round(60 - 4.5 * rank, 3)
        answer = {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": 1000 + n,
                "items": items,
                "items-per-page": 5,
                "query": {"start-index": 0, "search-terms": None},
            },
        }
        name = f"{slug(paper['title'])}.json"
        (HERE / name).write_text(json.dumps(answer, ensure_ascii=False, indent=1) + "\n")
        index[paper["title"]] = {"file": name, "doi": f"10.5555/labsite.{n}"}
    (HERE / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(index)} answers written")


if __name__ == "__main__":
    main()
