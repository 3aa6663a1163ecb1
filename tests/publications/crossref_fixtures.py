"""A stand-in for Crossref's bibliographic search over the constructed answers in
data/crossref/ (their README says how they were made): the answer is chosen by the
search text the request carries, as Crossref's would be."""

import json
from pathlib import Path

from werkzeug import Response

FOLDER = Path(__file__).parent / "data" / "crossref"
INDEX = json.loads((FOLDER / "index.json").read_text())


def expected_doi(title):
    return INDEX[title]["doi"]


def search_handler(request):
    """The stored answer whose paper's title starts the `query.bibliographic` text; 400
    (as Crossref answers a malformed query) without the parameters a search must send."""
    args = request.args
    if args.get("rows") != "5" or not args.get("query.author"):
        return Response('{"status": "failed"}', status=400, content_type="application/json")
    if not args.get("filter", "").startswith("from-pub-date:"):
        return Response('{"status": "failed"}', status=400, content_type="application/json")
    text = args.get("query.bibliographic", "")
    for title, entry in INDEX.items():
        if text.startswith(title):
            body = (FOLDER / entry["file"]).read_text()
            return Response(body, content_type="application/json")
    empty = {"status": "ok", "message-type": "work-list", "message": {"items": []}}
    return Response(json.dumps(empty), content_type="application/json")


def serve(sources):
    sources.expect_request("/crossref/works").respond_with_handler(search_handler)
    return sources
