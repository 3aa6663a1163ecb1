"""Real .bib files through the import's preview: how many entries each would reject.

    .venv/bin/python bench/fetch_bib_corpus.py        # once: the files, into bench/corpus/
    .venv/bin/python bench/bib_corpus.py              # every file in bench/corpus/
    .venv/bin/python bench/bib_corpus.py FILE ... [--reasons 5]

Per file: entries (every @-block but @string/@preamble/@comment, including those
that do not parse), rejected = error rows of the preview (parse, mapping and plan
errors, as `import_bibtex` reports them) and their share, warnings, and the most
common reasons. The plan is built against an empty, migrated SQLite database (a
temporary file), so no entry is a duplicate of the database; duplicates within the
file count as errors, as in the admin. Nothing is timed and nothing is written.
Goal (issue 18): ≤ 2 % of a real file's entries rejected.
"""

import argparse
import collections
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus"


def setup():
    sys.path.insert(0, str(ROOT))
    path = Path(tempfile.gettempdir()) / f"labsite-bib-corpus-{os.getpid()}.sqlite3"
    os.environ.update(DATABASE_URL=f"sqlite:///{path}", DEBUG="1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return path


def reason_of(text):
    """A reason without its particulars (the quoted value), to count alike ones together."""
    return re.sub(r"“[^”]*”", "“…”", text)


def measure(path):
    from django.utils import translation

    from publications.bibtex import decoding, importer, plan

    translation.activate("en")
    try:
        text = decoding.decode(path.read_bytes()).text
    except decoding.DecodingError as error:
        return {"file": path.name, "refused": str(error)}
    records = importer.records_from_text(text)
    rows = plan.build_plan(records).rows
    errors = collections.Counter(reason_of(row.reason) for row in rows if row.status == "error")
    # Errors of the entry itself (parsing, mapping) and of the plan (the same paper or
    # person twice in the file: issue 18's identity rules).
    unreadable = sum(1 for record in records if "error" in record)
    warnings = collections.Counter(reason_of(w) for row in rows for w in row.warnings)
    rejected = sum(errors.values())
    return {
        "file": path.name,
        "entries": len(rows),
        "rejected": rejected,
        "unreadable": unreadable,
        "share": 100 * rejected / len(rows) if rows else 0,
        "warned": sum(1 for row in rows if row.warnings),
        "warnings": warnings,
        "errors": errors,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--reasons", type=int, default=3, help="most common reasons shown")
    args = parser.parse_args()
    files = args.files or sorted(CORPUS.glob("*.bib"))
    if not files:
        sys.exit("No files: run bench/fetch_bib_corpus.py first, or name some.")
    database = setup()
    try:
        results = [measure(path) for path in files]
    finally:
        database.unlink(missing_ok=True)
    print("| file | entries | rejected | % | of which: entry | of which: plan | with warnings |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        if "refused" in r:
            print(f"| {r['file']} | refused: {r['refused']} | | | | | |")
            continue
        print(
            f"| {r['file']} | {r['entries']:,} | {r['rejected']} | {r['share']:.1f} | "
            f"{r['unreadable']} | {r['rejected'] - r['unreadable']} | {r['warned']:,} |"
        )
    for r in results:
        if r.get("errors") or r.get("warnings"):
            print(f"\n{r['file']}:")
            for label, counter in (("error", r["errors"]), ("warning", r["warnings"])):
                for reason, count in counter.most_common(args.reasons):
                    print(f"  {label} ×{count}: {reason[:150]}")


if __name__ == "__main__":
    main()
