"""The network layer every outside service is read through (publications/sources/http.py):
what an editor sees when a service is slow, down, rate limiting or talking nonsense.
The services are played by a local pytest-httpserver (the `sources` fixture)."""

import re
import socket
import threading
import time

import pytest
from django.utils import translation
from pytest_httpserver import HTTPServer
from pytest_socket import SocketConnectBlockedError
from werkzeug import Response

from publications.sources import http

WORK = "/crossref/works/10.1000/xyz"


def test_an_answer_is_read_once_and_then_served_from_the_cache(sources):
    sources.expect_request(WORK).respond_with_json({"status": "ok", "message": {"DOI": "x"}})
    first = http.get_json("crossref", "/works/10.1000/xyz")
    second = http.get_json("crossref", "/works/10.1000/xyz")
    assert first == second == {"status": "ok", "message": {"DOI": "x"}}
    assert len(sources.log) == 1


def test_the_user_agent_carries_the_contact_address(sources, settings):
    settings.LABSITE_CONTACT_EMAIL = "mizoguchi-lab@example.ac.jp"
    sources.expect_request(WORK).respond_with_json({"message": {}})
    http.get_json("crossref", "/works/10.1000/xyz")
    request, _response = sources.log[0]
    assert "mailto:mizoguchi-lab@example.ac.jp" in request.headers["User-Agent"]


def test_an_unknown_record_is_not_found_not_an_outage(sources):
    sources.expect_request(WORK).respond_with_data("Resource not found.", status=404)
    with pytest.raises(http.NotFound) as caught:
        http.get_json("crossref", "/works/10.1000/xyz", what="10.1000/xyz")
    translation.activate("en")
    assert caught.value.message == "Crossref does not know 10.1000/xyz."
    translation.activate("ja")
    assert "10.1000/xyz" in caught.value.message
    assert "Crossref" in caught.value.message
    assert "does not know" not in caught.value.message


def test_a_service_error_is_retried(sources):
    sources.expect_ordered_request(WORK).respond_with_data("busy", status=503)
    sources.expect_ordered_request(WORK).respond_with_data("busy", status=502)
    sources.expect_ordered_request(WORK).respond_with_json({"message": {"DOI": "x"}})
    assert http.get_json("crossref", "/works/10.1000/xyz") == {"message": {"DOI": "x"}}
    assert len(sources.log) == 3


def test_a_service_that_stays_down_is_reported_in_both_languages(sources, settings):
    settings.LABSITE_SOURCE_ATTEMPTS = 3
    sources.expect_request(WORK).respond_with_data("down", status=503)
    with pytest.raises(http.SourceUnavailable) as caught:
        http.get_json("crossref", "/works/10.1000/xyz")
    assert len(sources.log) == 3
    translation.activate("en")
    assert caught.value.message == (
        "Crossref is unavailable at the moment (HTTP 503). Try again later."
    )
    translation.activate("ja")
    assert "503" in str(caught.value)
    assert "unavailable" not in str(caught.value)


def test_retry_after_is_respected(sources):
    sources.expect_ordered_request(WORK).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    sources.expect_ordered_request(WORK).respond_with_json({"message": {}})
    started = time.monotonic()
    assert http.get_json("crossref", "/works/10.1000/xyz") == {"message": {}}
    assert time.monotonic() - started >= 1.0
    assert len(sources.log) == 2


def test_a_long_retry_after_gives_up_at_once_with_a_message(sources, settings):
    settings.LABSITE_SOURCE_MAX_WAIT = 10
    sources.expect_request(WORK).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(http.SourceUnavailable) as caught:
        http.get_json("crossref", "/works/10.1000/xyz")
    assert len(sources.log) == 1
    translation.activate("en")
    assert "asks us to wait 3600 seconds" in caught.value.message


def test_a_slow_service_times_out(sources, settings):
    settings.LABSITE_SOURCE_TIMEOUT = 0.2

    def slow(request):
        time.sleep(1)
        return Response("{}", content_type="application/json")

    sources.expect_request(WORK).respond_with_handler(slow)
    with pytest.raises(http.SourceUnavailable) as caught:
        http.get_json("crossref", "/works/10.1000/xyz")
    assert caught.value.reason == "timeout"
    translation.activate("en")
    assert caught.value.message == "Crossref did not answer within 0.2 seconds. Try again later."


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "<html>Gateway</html>"])
def test_an_unreadable_answer_is_reported_and_not_cached(sources, body):
    sources.expect_ordered_request(WORK).respond_with_data(body, content_type="application/json")
    sources.expect_ordered_request(WORK).respond_with_json({"message": {}})
    with pytest.raises(http.SourceUnavailable) as caught:
        http.get_json("crossref", "/works/10.1000/xyz")
    assert caught.value.reason == "malformed"
    assert http.get_json("crossref", "/works/10.1000/xyz") == {"message": {}}


def test_no_service_listening_is_reported_as_unreachable(settings):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    settings.LABSITE_SOURCE_URLS = {
        **settings.LABSITE_SOURCE_URLS,
        "arxiv": f"http://127.0.0.1:{port}",
    }
    with pytest.raises(http.SourceUnavailable) as caught:
        http.get_json("arxiv", "/query")
    translation.activate("en")
    assert caught.value.message.startswith("arXiv could not be reached")


def test_the_tests_cannot_reach_the_network():
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): were the guard off, this would try to connect.
    with socket.socket() as sock, pytest.raises(SocketConnectBlockedError):
        sock.connect(("192.0.2.1", 443))


def test_requests_to_one_service_are_limited_in_number_at_a_time(settings):
    """Eight threads ask at once; the service never sees more than the limit in flight."""
    settings.LABSITE_SOURCE_CONCURRENCY = 2
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def slow(request):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.1)
        with lock:
            in_flight[0] -= 1
        return Response('{"message": {}}', content_type="application/json")

    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request(re.compile(r"/crossref/works/.*")).respond_with_handler(slow)
        settings.LABSITE_SOURCE_URLS = {
            **settings.LABSITE_SOURCE_URLS,
            "crossref": server.url_for("/crossref"),
        }
        threads = [
            threading.Thread(target=http.get_json, args=("crossref", f"/works/10.1/{n}"))
            for n in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(server.log) == 8
    finally:
        server.clear()
        server.stop()
    assert most[0] == 2
