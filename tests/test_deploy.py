"""Production behaviour: error pages in both languages, the security headers, `check --deploy`."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import WARNING, run_checks
from django.test import RequestFactory
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "heading"),
    [("/ja/no-such-page/", "ページが見つかりません"), ("/en/nowhere/", "Page not found")],
)
def test_a_missing_page_says_so_in_its_language(client, url, heading):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert 'name="robots" content="noindex"' in html


def test_the_server_error_page_needs_neither_request_nor_database():
    # No django_db mark: pytest-django makes any database access fail this test.
    response = server_error(RequestFactory().get("/en/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<section lang="ja">' in html and "サーバーエラー" in html
    assert '<section lang="en">' in html and "Server error" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/", "/ja/publications/?q=欠陥", "/admin/login/"])
def test_every_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def production_env(**extra):
    # Not the test run's own switches (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    ignored = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="lab.example.ac.jp", **extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings():
    env = production_env(CONTACT_EMAIL="office@mizoguchi-lab.jp")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_crossref_would_get_no_contact_address():
    env = production_env()
    env.pop("CONTACT_EMAIL", None)
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "(labsite.W001) CONTACT_EMAIL is not set" in result.stderr


@pytest.mark.parametrize(
    ("debug", "address", "warned"),
    [
        (False, "", True),
        (False, "  ", True),
        (False, "lab@example.org", True),
        (False, "admin@example.ac.jp", True),  # the README's placeholder
        (False, "me@lab.test", True),
        (False, "not an address", True),
        (False, "office@mizoguchi-lab.jp", False),
        (False, "t.mizoguchi@iis.u-tokyo.ac.jp", False),
        (True, "", False),  # development: no noise
    ],
)
def test_the_contact_address_check_names_what_crossref_would_get(settings, debug, address, warned):
    settings.DEBUG = debug
    settings.LABSITE_CONTACT_EMAIL = address
    found = [m for m in run_checks(include_deployment_checks=True) if m.id == "labsite.W001"]
    assert bool(found) == warned
    if warned:
        assert found[0].level == WARNING


def test_check_deploy_warns_about_the_placeholders_of_env_example():
    """An operator who copied .env.example and missed a line ran with its public
    SECRET_KEY: Django's own check finds it long and varied enough."""
    example = dict(re.findall(r"^([A-Z_]+)=(.*)$", (ROOT / ".env.example").read_text(), re.M))
    env = production_env(CONTACT_EMAIL="office@mizoguchi-lab.jp")
    env.update(
        SECRET_KEY=example["SECRET_KEY"],
        DATABASE_URL=f"postgres://labsite:{example['POSTGRES_PASSWORD']}@db:5432/labsite",
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "(labsite.W002) SECRET_KEY is the placeholder of .env.example" in result.stderr
    assert "(labsite.W003) The database password is the placeholder" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _with_defaults(value):
    """A compose value with each ${NAME:-default} as its default, as with an empty .env."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))


def test_compose_trusts_forwarded_headers_only_from_whoever_can_reach_the_port():
    """gunicorn trusts X-Forwarded-* from FORWARDED_ALLOW_IPS; with "*", anyone who can
    connect could claim HTTPS or any client address, so the port must be on the loopback."""
    yaml = pytest.importorskip("ruamel.yaml")
    compose = yaml.YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    trusted = _with_defaults(web["environment"]["FORWARDED_ALLOW_IPS"])
    (published,) = (_with_defaults(port) for port in web["ports"])
    host_address = published.rsplit(":", 2)[0]
    assert trusted != "*" or host_address == "127.0.0.1", (trusted, published)
    assert host_address == "127.0.0.1"
    env_example = (ROOT / ".env.example").read_text()
    assert "\nWEB_BIND=127.0.0.1\n" in env_example


def test_every_setting_in_env_example_reaches_the_containers():
    """An operator who fills in .env expects each line to take effect: a variable that
    docker-compose.yml does not pass on is silently ignored (CONTACT_EMAIL was)."""
    yaml = pytest.importorskip("ruamel.yaml")
    compose_text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.YAML(typ="safe").load(compose_text)
    app = compose["services"]["web"]["environment"]
    assert compose["services"]["worker"]["environment"] == app
    names = re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
    assert "CONTACT_EMAIL" in names
    for name in names:
        assert name in app or "${" + name in compose_text, name
