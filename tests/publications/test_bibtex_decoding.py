"""Uploaded bytes in each accepted encoding decode to the same text; others are refused."""

import codecs

import pytest
from django.utils import translation

from publications.bibtex.decoding import MAX_BYTES, DecodingError, decode

JAPANESE = (
    "@article{yamada2021,\n  author = {山田 太郎 and 溝口, 照康},\n"
    "  title = {格子欠陥インフォマティクスによる電子顕微鏡観察},\n  year = {2021},\n}\n"
)
LATIN = (
    "@article{mueller2020,\n  author = {Müller, Jörg and Ångström, Åsa and Señor, José},\n"
    "  title = {Straße, café and Gödel: électron énergie},\n  year = {2020},\n}\n"
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here (tests/conftest.py restores Japanese after)."""
    translation.activate("en")


@pytest.mark.parametrize(
    ("codec", "name"),
    [("utf-8", "UTF-8"), ("euc_jp", "EUC-JP"), ("shift_jis", "Shift_JIS"),
     ("cp932", "Shift_JIS"), ("iso2022_jp", "ISO-2022-JP")],
)  # fmt: skip
def test_japanese_files_decode(codec, name):
    decoded = decode(JAPANESE.encode(codec))
    assert decoded.text == JAPANESE
    assert decoded.encoding == name


def test_utf8_with_bom():
    decoded = decode(codecs.BOM_UTF8 + JAPANESE.encode("utf-8"))
    assert decoded.text == JAPANESE and decoded.encoding == "UTF-8"


def test_latin1_is_not_mistaken_for_shift_jis_or_euc_jp():
    decoded = decode(LATIN.encode("latin-1"))
    assert decoded.text == LATIN
    assert decoded.encoding == "Latin-1"


def test_windows_1252_quotes_and_dashes():
    text = LATIN.replace("café", "“café” – ok")
    decoded = decode(text.encode("cp1252"))
    assert decoded.text == text
    assert "1252" in decoded.encoding


def test_ascii():
    assert decode(b"@misc{a, title={x}, year=2000}").encoding == "ASCII"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b" \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "binary"),
        (JAPANESE.encode("utf-16"), "UTF-16"),
        ("Привет, мир: статья о дефектах".encode("cp1251"), "not supported"),
        ("Ελληνικά κείμενα για ελαττώματα".encode("cp1253"), "not supported"),
        (LATIN.encode("utf-8") + "é".encode("latin-1") + b" and more", "not valid UTF-8"),
    ],
)
def test_refused_with_a_reason(data, message):
    with pytest.raises(DecodingError, match=message):
        decode(data)


def test_over_the_size_limit():
    with pytest.raises(DecodingError, match=f"{MAX_BYTES // (1024 * 1024)} MB"):
        decode(b"@" * (MAX_BYTES + 1))


def test_messages_are_in_the_active_language():
    translation.activate("ja")
    with pytest.raises(DecodingError, match="ファイルが空です"):
        decode(b"")
