"""What the "Add by DOI or arXiv id" request does with a paste: read its identifiers.

    DEBUG=1 .venv/bin/python bench/paste.py

Since the lookups moved to the worker (docs/sources.md), the request only picks the
identifiers out of the text (`identifiers.find`) and checks the bounds
(LABSITE_IDENTIFIERS_MAX identifiers, LABSITE_IDENTIFIERS_MAX_CHARS characters). This
times that on the largest pastes the bounds let in, and on the worst 2 MB for the
reader (every token an identifier, refused after reading). Each case runs a few
times; the table shows the best time and the peak of Python allocations (tracemalloc)
of one run. Timings are printed, never asserted.
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from publications.sources.identifiers import find  # noqa: E402


def reference_list(count):
    """A reference list of `count` entries, each with a DOI URL; every tenth an arXiv id."""
    lines = []
    for n in range(count):
        if n % 10 == 9:
            lines.append(f"[{n + 1}] A. Author, B. Author, arXiv:2401.{n:05d}v2 [cond-mat] (2024).")
        else:
            lines.append(
                f"[{n + 1}] A. Author, B. Author and C. Author, Title of paper {n}, "
                f"Phys. Rev. B {n % 120}, {n:06d} (2024). https://doi.org/10.5555/PhysRevB.{n}."
            )
    return "\n".join(lines)


def packed(chars, pattern):
    """`chars` characters of distinct identifiers, one after another (the most work)."""
    text, n = [], 0
    size = 0
    while size < chars:
        token = pattern.format(n=n) + " "
        text.append(token)
        size += len(token)
        n += 1
    return "".join(text)[:chars]


def main():
    chars = settings.LABSITE_IDENTIFIERS_MAX_CHARS
    limit = settings.LABSITE_IDENTIFIERS_MAX
    filler = "Lorem ipsum dolor sit amet, 1234.5678-1240 pp. (2024); "
    cases = {
        f"reference list, {limit:,} identifiers": reference_list(limit),
        f"{chars:,} characters, one DOI": ("10.5555/one " + (filler * (chars // len(filler) + 1)))[
            :chars
        ],
        f"{chars:,} characters, all DOIs (refused)": packed(chars, "10.5555/x.{n}"),
        f"{chars:,} characters, all arXiv ids (refused)": packed(chars, "arXiv:2401.{n:05d}"),
        f"{chars:,} characters, all bare arXiv ids (refused)": packed(chars, "{n:04d}.{n:05d}"),
    }
    print(f"{'paste':<52} {'size':>10} {'found':>8} {'best s':>8} {'peak MB':>8}")
    for name, text in cases.items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            found = find(text)
            best = min(best, time.perf_counter() - start)
        tracemalloc.start()
        find(text)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:<52} {len(text):>10,} {len(found):>8,} {best:>8.3f} {peak / 2**20:>8.1f}")


if __name__ == "__main__":
    main()
