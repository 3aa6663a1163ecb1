"""Papers from outside services (Crossref, DataCite, arXiv, researchmap, ORCID): the
HTTP layer (`http`) and one module per service that maps its records to the import's
record shape (publications/bibtex/plan.py)."""
