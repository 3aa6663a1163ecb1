"""Characters lost between a BibTeX file and what the site stores and exports.

    .venv/bin/python bench/bib_fidelity.py FILE.bib [FILE.bib ...] [--show 10]

For each file: entries imported (entries the import refuses are not counted),
characters read in the fields the site stores, characters lost, entries whose raw
text is kept exactly, and the first losses (entry key, field group, characters).
The measure is `publications.bibtex.fidelity.measure` (docs/bibtex.md, "Lose
nothing"). No database is needed.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--show", type=int, default=10, help="losses to list per file")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from publications.bibtex import decoding, fidelity

    total = fidelity.Report()
    print(f"{'file':40} {'entries':>7} {'chars':>9} {'lost':>6} {'raw kept':>8}")
    for path in args.files:
        try:
            text = decoding.decode(path.read_bytes()).text
        except decoding.DecodingError as error:
            print(f"{path.name:40} refused: {error}")
            continue
        report = fidelity.measure(text)
        total.add(report)
        print(
            f"{path.name[:40]:40} {report.entries:>7} {report.characters:>9} "
            f"{report.lost:>6} {report.raw_kept:>8}"
        )
        for loss in report.losses[: args.show]:
            print(f"    {loss.key}: {loss.group}: {loss.lost!r}")
    if len(args.files) > 1:
        print(
            f"{'total':40} {total.entries:>7} {total.characters:>9} {total.lost:>6} "
            f"{total.raw_kept:>8}"
        )


if __name__ == "__main__":
    main()
