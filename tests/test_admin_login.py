"""The admin login: password guessing is locked out (django-axes), failures are logged
and listed for superusers, and staff who enrol need a code from their app (django-otp)."""

import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
PASSWORD = "a long passphrase 42"


@pytest.fixture
def staff():
    user = User.objects.create_user("tanaka", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def log_in(client, username, password, **extra):
    data = {"username": username, "password": password, "next": INDEX}
    return client.post(LOGIN, data, **extra)


def logged_in(client):
    return client.get(INDEX).status_code == 200


def test_the_right_password_logs_in(staff):
    client = Client()
    response = log_in(client, "tanaka", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_250_wrong_passwords_then_the_right_one_does_not_log_in(staff):
    client = Client()
    statuses = [log_in(client, "tanaka", f"guess {n}").status_code for n in range(250)]
    # Four times the login form again ("wrong password"); the fifth failure locks.
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    response = log_in(client, "tanaka", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lockout_is_per_username_and_address(staff):
    User.objects.create_user("other", password=PASSWORD, is_staff=True)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(5):
        log_in(attacker, "tanaka", f"guess {n}")
    assert log_in(attacker, "tanaka", PASSWORD).status_code == 429
    # The same user from another address, and another user from the same one, log in.
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert log_in(colleague, "tanaka", PASSWORD).status_code == 302
    assert log_in(Client(REMOTE_ADDR="203.0.113.9"), "other", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Too many failed logins: after 5 wrong passwords"),
        ("ja", "ログインの失敗が多すぎます"),
    ],
)
def test_the_lockout_page_says_why_and_how_long_in_the_browsers_language(staff, language, text):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    for n in range(5):
        log_in(client, "tanaka", f"guess {n}")
    response = log_in(client, "tanaka", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 30 * 60
    html = response.content.decode()
    assert f'lang="{language}"' in html
    assert text in html
    assert "30" in html  # minutes


def test_a_superuser_unlocks_by_resetting_the_username(staff):
    client = Client()
    for n in range(5):
        log_in(client, "tanaka", f"guess {n}")
    assert log_in(client, "tanaka", PASSWORD).status_code == 429
    from django.core.management import call_command

    call_command("axes_reset_username", "tanaka")
    assert log_in(client, "tanaka", PASSWORD).status_code == 302


def test_behind_the_proxy_the_lockout_counts_the_forwarded_address(staff, settings):
    """Every request comes from the proxy: the client is the address it appended."""
    settings.LABSITE_BEHIND_PROXY = True
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9", **proxy)
    for n in range(5):
        log_in(attacker, "tanaka", f"guess {n}")
    assert log_in(attacker, "tanaka", PASSWORD).status_code == 429
    # Forging an earlier entry changes nothing: the proxy's entry comes last.
    forged = Client(HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.9", **proxy)
    assert log_in(forged, "tanaka", PASSWORD).status_code == 429
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert log_in(colleague, "tanaka", PASSWORD).status_code == 302


def test_failed_logins_are_logged_and_listed_for_superusers_only(staff, editor_client, caplog):
    for n in range(3):
        log_in(Client(REMOTE_ADDR="203.0.113.9"), "tanaka", f"guess {n}")
    assert AccessFailureLog.objects.filter(username="tanaka").count() == 3
    assert AccessAttempt.objects.get(username="tanaka").failures_since_start == 3
    assert any("login failure" in record.getMessage() for record in caplog.records)
    # The passwords tried are not kept.
    assert not any("guess" in attempt.post_data for attempt in AccessAttempt.objects.all())

    superuser = Client()
    superuser.force_login(User.objects.create_superuser("root", password=PASSWORD))
    listing = superuser.get(reverse("admin:axes_accessfailurelog_changelist"))
    assert listing.status_code == 200
    assert "203.0.113.9" in listing.content.decode()
    assert editor_client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 403


# --- Two-factor login ---


def current_code(device, steps_ahead=0):
    """The code the app shows now (or `steps_ahead` × 30 s later: a code is used once,
    and the device accepts the next step's)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrol(client):
    """Turn on two-factor login through the enrolment page, as a staff member does."""
    page = client.get(reverse("admin:two_factor"))
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.content.decode()  # the QR code
    device = TOTPDevice.objects.get(user__username="tanaka", confirmed=False)
    response = client.post(reverse("admin:two_factor"), {"otp_token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_staff_without_two_factor_log_in_with_the_password_alone(staff):
    assert not TOTPDevice.objects.exists()
    client = Client()
    assert log_in(client, "tanaka", PASSWORD).status_code == 302


def test_an_enrolled_staff_member_needs_the_code(staff):
    client = Client()
    client.force_login(staff)
    device = enrol(client)
    assert logged_in(client)  # enrolling verified this session

    without_code = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = log_in(without_code, "tanaka", PASSWORD)
    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app." in response.content.decode()
    assert not logged_in(without_code)

    wrong = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong_code = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = wrong.post(
        LOGIN, {"username": "tanaka", "password": PASSWORD, "otp_token": wrong_code}
    )
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not logged_in(wrong)

    device.refresh_from_db()
    device.throttle_reset()
    with_code = Client()
    response = with_code.post(
        LOGIN,
        {"username": "tanaka", "password": PASSWORD, "otp_token": current_code(device, 1)},
    )
    assert response.status_code == 302
    assert logged_in(with_code)


def test_two_factor_can_be_required_of_every_staff_member(staff, settings):
    """ADMIN_REQUIRE_2FA: the password alone opens only the enrolment page; the admin
    opens once a device is confirmed (and then, at every login, with its code)."""
    settings.LABSITE_ADMIN_REQUIRE_2FA = True
    client = Client()
    response = log_in(client, "tanaka", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:two_factor")
    assert client.get(INDEX).status_code == 302  # not the admin
    assert client.get(reverse("admin:publications_publication_changelist")).status_code == 302
    device = enrol(client)
    assert logged_in(client)

    again = Client()
    assert log_in(again, "tanaka", PASSWORD).status_code == 200  # the code is asked for
    assert not logged_in(again)
    response = again.post(
        LOGIN, {"username": "tanaka", "password": PASSWORD, "otp_token": current_code(device, 1)}
    )
    assert response.status_code == 302
    assert logged_in(again)


def test_the_enrolment_page_is_for_logged_in_staff_only(staff):
    assert Client().get(reverse("admin:two_factor")).status_code == 302
    visitor = User.objects.create_user("visitor", password=PASSWORD)
    client = Client()
    client.force_login(visitor)
    assert client.get(reverse("admin:two_factor")).status_code == 302
    assert not TOTPDevice.objects.exists()


def test_a_malformed_forwarded_address_is_not_an_error(staff, settings):
    """Behind the proxy, a request that reached gunicorn some other way may carry any
    X-Forwarded-For: the direct address is counted instead."""
    settings.LABSITE_BEHIND_PROXY = True
    client = Client(HTTP_X_FORWARDED_FOR="not an address", REMOTE_ADDR="203.0.113.9")
    assert log_in(client, "tanaka", "wrong").status_code == 200
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    assert log_in(client, "tanaka", PASSWORD).status_code == 302
