"""Fetch real .bib files that nobody on the team wrote, for bench/bib_corpus.py.

    .venv/bin/python bench/fetch_bib_corpus.py            # into bench/corpus/ (git-ignored)

The machine reaches package registries only, so the files come from Debian's TeX
Live packages (`apt-get download`, then `dpkg-deb -x`; no root needed): real
bibliographies that ship with TeX Live, in English, German and Japanese, BibTeX
and biblatex, from 15 to about 4,000 entries. Each file keeps its package's
licence (TeX Live: free licences, listed in each package's copyright file).
Files already fetched are not fetched again.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus"

# (Debian package, path inside it, what the file is)
FILES = [
    (
        "texlive-bibtex-extra",
        "usr/share/texlive/texmf-dist/bibtex/bib/beebe/tugboat.bib",
        "English, BibTeX: TUGboat's complete bibliography (N. Beebe), @string journals, "
        "crossref to proceedings",
    ),
    (
        "texlive-bibtex-extra",
        "usr/share/texlive/texmf-dist/bibtex/bib/beebe/printing-history.bib",
        "English/German/French, BibTeX: history of printing (N. Beebe)",
    ),
    (
        "texlive-bibtex-extra",
        "usr/share/texlive/texmf-dist/bibtex/bib/beebe/texgraph.bib",
        "English, BibTeX: TeX and graphics (N. Beebe)",
    ),
    (
        "texlive-lang-german",
        "usr/share/texlive/texmf-dist/bibtex/bib/dtk-bibliography/dtk-bibliography.bib",
        "German, biblatex: every article of Die TeXnische Komödie (DANTE e.V.)",
    ),
    (
        "texlive-bibtex-extra",
        "usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib",
        "English/German/Greek, biblatex: biblatex's own examples (every entry type, "
        "crossref, xdata, @set, dates)",
    ),
    (
        "texlive-bibtex-extra",
        "usr/share/texlive/texmf-dist/bibtex/bib/archaeologie/archaeologie-examples.bib",
        "German, biblatex: the archaeologie style's examples (German archaeology)",
    ),
    (
        "texlive-bibtex-extra",
        "usr/share/texlive/texmf-dist/bibtex/bib/jurabib/jbtest.bib",
        "German, BibTeX: jurabib's test file (German law)",
    ),
    (
        "texlive-publishers",
        "usr/share/texlive/texmf-dist/bibtex/bib/ieeetran/IEEEexample.bib",
        "English, BibTeX: IEEEtran's example bibliography (IEEE publisher style)",
    ),
    (
        "texlive-lang-japanese",
        "usr/share/texlive/texmf-dist/pbibtex/bib/jxampl.bib",
        "Japanese, pBibTeX: jbibtex's example file (EUC-JP/UTF-8 Japanese entries)",
    ),
    (
        "texlive-lang-japanese",
        "usr/share/doc/texlive-doc/ptex/pbibtex/jbtxdoc.bib",
        "Japanese, pBibTeX: the references of the jbibtex manual",
    ),
]


def fetch(packages, work):
    """Download and unpack each package once; returns the folder it unpacked to."""
    unpacked = {}
    for package in sorted(packages):
        target = work / package
        if not target.exists():
            subprocess.run(["apt-get", "download", package], cwd=work, check=True)
            [deb] = work.glob(f"{package}_*.deb")
            subprocess.run(["dpkg-deb", "-x", str(deb), str(target)], check=True)
        unpacked[package] = target
    return unpacked


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--into", type=Path, default=CORPUS)
    parser.add_argument("--keep-packages", action="store_true", help="keep the unpacked .debs")
    args = parser.parse_args()
    args.into.mkdir(parents=True, exist_ok=True)
    wanted = [f for f in FILES if not (args.into / Path(f[1]).name).exists()]
    if not wanted:
        print(f"All {len(FILES)} files are already in {args.into}.")
        return
    work = Path(tempfile.mkdtemp(prefix="labsite-bib-corpus-"))
    try:
        unpacked = fetch({package for package, _path, _what in wanted}, work)
        for package, path, what in wanted:
            source = unpacked[package] / path
            if not source.exists():
                sys.exit(f"{path} is not in {package} (another TeX Live release?)")
            shutil.copyfile(source, args.into / source.name)
            print(f"{source.name}: {what}")
    finally:
        if not args.keep_packages:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
