"""BibTeX in and out: decoding uploaded bytes, parsing, mapping entries to fields,
the import by stage (matching, people and keywords → plan: the preview, new /
duplicate / update / error → writing: applying it → undo),
and the exporters (BibTeX, RIS, CSL-JSON). See docs/bibtex.md.
"""
