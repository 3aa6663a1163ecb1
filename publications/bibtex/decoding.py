"""Bytes of an uploaded .bib file → text, or a clear refusal.

Accepted: UTF-8 (with or without BOM), ISO-2022-JP, EUC-JP, Shift_JIS (Windows
code page 932, its superset) and Latin-1 (read as Windows-1252, its superset,
when the file uses the bytes 0x80–0x9F for curly quotes and dashes). Anything
else is refused with a message saying what was found.

Latin-1 decodes any byte sequence, and EUC-JP and Shift_JIS decode many, so the
order and the checks matter (docs/bibtex.md):

1. Empty → refused. A UTF-8 BOM → UTF-8. A UTF-16/32 BOM or NUL bytes → refused
   (UTF-16 or a binary file).
2. Only 7-bit bytes: ISO-2022-JP when it has its escape sequences, else ASCII.
3. Valid UTF-8 → UTF-8 (a real Latin-1 or Japanese file is almost never valid UTF-8).
4. EUC-JP, then Shift_JIS, when the text decodes strictly *and* reads as Japanese:
   at least half of its non-ASCII characters are kana, Japanese punctuation,
   full-width forms or JIS level-1 (common) kanji. Latin-1 text misread as
   Shift_JIS gives half-width katakana, level-2 kanji and private-use characters;
   EUC-JP misread as Shift_JIS, the same.
5. Latin-1 when its non-ASCII characters look like accented letters inside Latin
   words; refused when the bytes are mostly broken UTF-8 or long runs of
   non-ASCII letters (Cyrillic, Greek, Chinese in another code page…).
"""

import codecs
import contextlib
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 50 * 1024 * 1024


class DecodingError(ValueError):
    """The bytes are not a text file in an accepted encoding; the message says why."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a human name: "UTF-8", "Shift_JIS", …


_BOMS = [
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
]
_ISO2022_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(B", b"\x1b(I", b"\x1b$(D")
_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_HIGH = re.compile(rb"[\x80-\xff]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")


def _is_common_japanese(char):
    code = ord(char)
    if 0x3000 <= code <= 0x30FF or 0xFF01 <= code <= 0xFF5E:
        return True  # Japanese punctuation, hiragana, katakana, full-width forms
    if 0x4E00 <= code <= 0x9FFF:
        try:
            lead = char.encode("euc_jp")[0]
        except UnicodeEncodeError:
            return False
        return 0xB0 <= lead <= 0xCF  # JIS X 0208 level 1: the common kanji
    return False


def _reads_as_japanese(text):
    high = [c for c in text if ord(c) > 0x7F]
    if not high:
        return False
    return sum(map(_is_common_japanese, high)) * 2 >= len(high)


def _first_bad_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return data.count(b"\n", 0, error.start) + 1
    return None


def decode(data: bytes) -> Decoded:
    """The text of an uploaded file, or DecodingError with a message for a person."""
    if len(data) > MAX_BYTES:
        raise DecodingError(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise DecodingError(_("The file is empty."))
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data.decode("utf-8-sig"), "UTF-8")  # no copy of the bytes
        except UnicodeDecodeError:
            raise DecodingError(
                _("The file says it is UTF-8 but is not valid UTF-8 (line %(line)d).")
                % {"line": _first_bad_utf8(data[3:])}
            ) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise DecodingError(
                _("The file is in %(encoding)s; save it as UTF-8 and upload it again.")
                % {"encoding": name}
            )
    if b"\x00" in data:
        raise DecodingError(
            _("This is a binary file (or UTF-16 text), not a BibTeX file. Upload a .bib file.")
        )
    if not _HIGH.search(data):
        if any(escape in data for escape in _ISO2022_ESCAPES):
            try:
                return Decoded(data.decode("iso2022_jp_ext"), "ISO-2022-JP")
            except UnicodeDecodeError:
                raise DecodingError(
                    _("The file looks like ISO-2022-JP but cannot be decoded as it.")
                ) from None
        return Decoded(data.decode("ascii"), "ASCII")
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    for codec, name in (("euc_jp", "EUC-JP"), ("cp932", "Shift_JIS")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _reads_as_japanese(text):
            return Decoded(text, name)
    high = len(_HIGH.findall(data))
    utf8_bytes = sum(len(m) for m in _UTF8_PAIR.findall(data))
    if utf8_bytes * 2 > high:
        raise DecodingError(
            _(
                "The file is not valid UTF-8 (first bad byte on line %(line)d): it mixes "
                "encodings or is damaged. Save it as UTF-8 and upload it again."
            )
            % {"line": _first_bad_utf8(data)}
        )
    text, name = data.decode("latin-1"), "Latin-1"
    if re.search(rb"[\x80-\x9f]", data):
        # 0x81, 0x8d, 0x8f, 0x90 and 0x9d are undefined in it: C1 controls, refused below.
        with contextlib.suppress(UnicodeDecodeError):
            text, name = data.decode("cp1252"), "Latin-1 (Windows-1252)"
    non_ascii = sum(1 for c in text if ord(c) > 0x7F)
    in_runs = sum(len(run) for run in _NON_ASCII_RUN.findall(text))
    controls = sum(1 for c in text if 0x80 <= ord(c) <= 0x9F)
    if in_runs * 2 > non_ascii or controls:
        raise DecodingError(
            _(
                "The file's encoding is not supported. Accepted: UTF-8, Latin-1, Shift_JIS, "
                "EUC-JP and ISO-2022-JP. Save it as UTF-8 and upload it again."
            )
        )
    return Decoded(text, name)
