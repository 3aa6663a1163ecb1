"""BibTeX in and out: decoding uploaded bytes, parsing, mapping entries to fields,
the import plan (new / duplicate / update / error) and its application and undo,
and the exporters (BibTeX, RIS, CSL-JSON). See docs/bibtex.md.
"""
