"""Hostile and largest inputs, each in a fresh process: peak memory (RSS) and time.

    .venv/bin/python bench/bounds.py                    # this tree
    .venv/bin/python bench/bounds.py --compare 77a7096  # REV's code too, same inputs
    .venv/bin/python bench/bounds.py --only bomb png10k

Each case runs in its own Python process (`_case NAME`), so its peak RSS
(`ru_maxrss`) is that input's alone; "base" is the same process before the case
ran (Django and the project imported). Address space is capped at 3 GB, so old
code fed a bomb fails with MemoryError instead of taking the machine down.
Nothing touches a database: the import's cases stop at the records the preview
stores (decode, parse, map: what the upload request does), the images' at the
rendition a public page asks for. The goal (docs/limits.md): < 300 MB per worker
on every input. Timings are printed, never asserted.

Inputs are generated once into a cache folder (the 10,000 × 10,000 PNG takes a
few seconds and ~400 MB to draw); REV's code reads the same files.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "labsite-bench-bounds"
LIMIT_BYTES = 3 * 1024**3


def string_bomb(levels):
    """@string doublings: 64 × 2**levels characters in one title if expanded."""
    lines = ['@string{s0 = "' + "x" * 64 + '"}']
    lines += [f"@string{{s{n} = s{n - 1} # s{n - 1}}}" for n in range(1, levels + 1)]
    lines.append(f"@article{{bomb, title = s{levels}, year = 2020}}")
    return "\n".join(lines) + "\n"


def authors_entry(count):
    names = " and ".join(f"Author{n}, A." for n in range(count))
    return f"@article{{many, title = {{Many authors}}, year = 2020, author = {{{names}}}}}\n"


def small_entries(count):
    return "".join(f"@misc{{k{n}, title = {{Title {n}}}, year = 2020}}\n" for n in range(count))


def make_inputs():
    """{case: (kind, path, what)}, generated into CACHE when missing."""
    sys.path.insert(0, str(ROOT))
    from bench.import_bibtex import generate

    CACHE.mkdir(exist_ok=True)
    bib = {
        "bomb": (string_bomb(21), "1.2 kB of @string doublings (128 MB if expanded)"),
        "bomb-deep": (string_bomb(40), "2 kB of @string doublings (70 TB if expanded)"),
        "authors-5k": (authors_entry(5_000), "one entry with 5,000 authors (70 kB)"),
        "authors-200k": (authors_entry(200_000), "one entry with 200,000 authors (3 MB)"),
        "entries-100k": (small_entries(100_000), "100,000 small entries (4.6 MB)"),
        "bib-20mb": (None, "a realistic 20 MB file: 52,000 entries"),
    }
    cases = {}
    for name, (text, what) in bib.items():
        path = CACHE / f"{name}.bib"
        if not path.exists():
            if text is None:
                text = generate(52_000)
                assert len(text.encode()) < 20 * 1024 * 1024, len(text.encode())
            path.write_text(text, encoding="utf-8")
        cases[name] = ("bib", path, what)
    images = {
        "png10k": ((10_000, 10_000), "PNG", "a 10,000 × 10,000 PNG (100 M pixels)"),
        "png25m": ((5_000, 5_000), "PNG", "a 5,000 × 5,000 PNG (25 M pixels: the limit)"),
        "jpeg24m": ((6_000, 4_000), "JPEG", "a 6,000 × 4,000 JPEG (24 M pixels)"),
    }
    for name, (size, kind, what) in images.items():
        path = CACHE / f"{name}.{kind.lower()}"
        if not path.exists():
            subprocess.run(
                [sys.executable, "-c", DRAW, str(path), kind, str(size[0]), str(size[1])],
                check=True,
            )
        cases[name] = ("image", path, what)
    cases["portrait25m"] = (
        "portrait",
        cases["png25m"][1],
        "the 25 M-pixel PNG as a member's photo",
    )
    return cases


# A gradient with noise, so that the files are not trivially small.
DRAW = """
import sys
from PIL import Image
path, kind, width, height = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
Image.MAX_IMAGE_PIXELS = None  # drawing the bench's own input, not reading a visitor's
image = Image.effect_noise((width, height), 40).convert("RGB")
image.save(path, kind, **({"quality": 90} if kind == "JPEG" else {}))
"""

CASE = r"""
import json, os, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = "labsite.settings"
os.environ["DEBUG"] = "1"
os.environ["MEDIA_ROOT"] = {media!r}
import django
django.setup()
from django.utils import translation
from publications.bibtex import importer, decoding
translation.activate("en")
from research.models import ResearchTheme
from research import renditions
kind, path = {kind!r}, {path!r}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    if kind == "bib":
        records = importer.records_from_text(decoding.decode(open(path, "rb").read()).text)
        errors = [r["error"] for r in records if "error" in r]
        warned = sum(1 for r in records for w in r.get("warnings", ()) if "authors" in w)
        outcome = f"{{len(records)}} rows, {{len(errors)}} errors"
        if errors:
            outcome += f" ({{errors[0][:60]}})"
        if warned:
            outcome += ", author list cut"
    elif kind == "portrait":
        from research.models import Member
        member = Member(photo="themes/" + os.path.basename(path))
        made = renditions.portraits(member.photo)
        outcome = "square renditions " + ", ".join(str(r.width) for r in made)
    else:
        name = "themes/" + os.path.basename(path)
        theme = ResearchTheme(image=name)
        made = renditions.rendition(theme.image, "hero")
        outcome = "no rendition (generated visual)"
        if made:
            outcome = f"rendition {{made.width}} × {{made.height}}"
except MemoryError:
    outcome = "MemoryError (3 GB cap)"
except Exception as error:
    outcome = f"{{type(error).__name__}}: {{str(error)[:80]}}"
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
row = {{"base": base / 1024, "peak": peak / 1024, "seconds": elapsed, "outcome": outcome}}
print(json.dumps(row))
"""


def run_case(root, kind, path):
    media = Path(tempfile.mkdtemp(prefix="labsite-bench-media-"))
    if kind in ("image", "portrait"):
        (media / "themes").mkdir()
        (media / "themes" / path.name).symlink_to(path)
    code = CASE.format(limit=LIMIT_BYTES, media=str(media), kind=kind, path=str(path))
    env = dict(os.environ, PYTHONPATH=str(root))
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    subprocess.run(["rm", "-rf", str(media)], check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"base": 0, "peak": 0, "seconds": 0, "outcome": f"crashed: {result.stderr[-200:]}"}
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", metavar="REV", help="also run REV's code on the same inputs")
    parser.add_argument("--only", nargs="*", help="case names")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench import compare

    cases = make_inputs()
    if args.only:
        cases = {name: case for name, case in cases.items() if name in args.only}
    trees = [compare.working_tree()]
    with compare.checkout(args.compare) if args.compare else _nothing() as old:
        if old is not None:
            trees.insert(0, old)
        for tree in trees:
            print(f"\n{tree.name}")
            print(f"{'case':<14} {'input':<52} {'base MB':>8} {'peak MB':>8} {'s':>7}  outcome")
            for name, (kind, path, what) in cases.items():
                row = run_case(tree.root, kind, path)
                print(
                    f"{name:<14} {what:<52} {row['base']:>8.0f} {row['peak']:>8.0f}"
                    f" {row['seconds']:>7.2f}  {row['outcome']}",
                    flush=True,
                )


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
