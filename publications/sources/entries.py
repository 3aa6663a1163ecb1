"""A service's record of a paper → a BibTeX entry, so that it takes the BibTeX import's path.

researchmap and ORCID give a paper as JSON. Writing it as one BibTeX entry and
handing the text to the BibTeX import (`publications.bibtex.importer`) gives it the
same mapping, checks, matching, preview, per-row choices, confirmation and undo as a
`.bib` file, and leaves the paper a stored source (`Publication.bibtex`) that the
BibTeX export writes back: one import pipeline, not one per service. Fields the site
has no column for (refereed, language…) stay in that source.
"""

from ..bibtex.export import latex_escape

# Written as they are (no LaTeX escaping): the import reads them verbatim.
VERBATIM = frozenset({"doi", "url", "eprint", "archiveprefix", "researchmap", "orcid"})


def bibtex_name(name):
    """One author as BibTeX reads a name ("Given Family", "Family, Given", 溝口 照康)."""
    name = " ".join(name.split())
    escaped = latex_escape(name)
    # " and " inside one name would split it into two authors.
    return "{" + escaped + "}" if " and " in f" {name.lower()} " else escaped


def entry(entry_type, key, fields, authors=(), truncated=False):
    """The BibTeX text of one entry: `fields` is {name: text} (empty values left out)."""
    lines = []
    names = [bibtex_name(a) for a in authors if a and a.strip()]
    if truncated:
        names.append("others")
    if names:
        lines.append(f"  author = {{{' and '.join(names)}}}")
    for name, value in fields.items():
        value = str(value).strip() if value is not None else ""
        if not value:
            continue
        if name in VERBATIM:
            value = value.replace("{", "").replace("}", "")
        else:
            # Capitals inside words (ELNES, SrTiO3) protected from BibTeX styles, as
            # the BibTeX export writes titles.
            value = latex_escape(value, protect_capitals=name.startswith("title"))
        lines.append(f"  {name} = {{{value}}}")
    return f"@{entry_type}{{{key},\n" + ",\n".join(lines) + "\n}"
