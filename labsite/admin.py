"""The admin site: Django's, with two-factor login for the staff who enrol.

Two-factor login (django-otp, TOTP: a 6-digit code from an authenticator app) is
optional per staff member: whoever has enrolled (at /admin/two-factor/, a QR code
to scan and a code to confirm it) must give a code at every login; whoever has not
logs in with the password alone, unless ADMIN_REQUIRE_2FA=1 requires it of everyone
(settings.LABSITE_ADMIN_REQUIRE_2FA). How to enrol, to require it and to reset a
lost phone: docs/security.md.

Password guessing is throttled by django-axes (settings.py, AXES_*) before this form
is reached; wrong codes by django-otp's own throttle on each device (a delay that
doubles with every failure).
"""

import base64
import io
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


def lab_name():
    """The lab profile's name in the active language (the other one if that is empty)."""
    from publications.translated import translated
    from research.models import LabProfile

    profile = LabProfile.objects.filter(pk=1).only("name_ja", "name_en").first()
    return translated(profile, "name")[0] if profile else ""


def verified(user):
    """Whether this session's user gave a code (OTPMiddleware adds `is_verified`; a user
    just logged in by the login form carries the device it verified instead)."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None:
        return is_verified()
    return getattr(user, "otp_device", None) is not None


def confirmed_devices(user):
    return list(TOTPDevice.objects.devices_for_user(user, confirmed=True))


class TwoFactorLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin login: username, password and, for an enrolled staff member, a code."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        help_text=_("From your authenticator app, if you have turned on two-factor login."),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the 6-digit code from your authenticator app."),
        "invalid_token": _("That code is not right (or was already used). Try the next one."),
        "device_required": _("Enter the 6-digit code from your authenticator app."),
    }

    def clean(self):
        """Whoever has enrolled gives a code. (With ADMIN_REQUIRE_2FA, whoever has not
        logs in to the enrolment page only: LabAdminSite.login.)"""
        self.cleaned_data = super().clean()
        user = self.get_user()
        if user is not None and confirmed_devices(user):
            self.clean_otp(user)
        return self.cleaned_data

    def _chosen_device(self, user):
        # Enrolment makes one device per staff member: use it without asking which.
        device = super()._chosen_device(user)
        if device is None:
            devices = confirmed_devices(user)
            device = devices[0] if devices else None
        return device

    def _update_form(self, user):
        pass  # no device menu: one device each (see _chosen_device)


class EnrolForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code shown by the app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )


def qr_code_data_uri(text):
    """An SVG QR code of `text`, as a data: URI (the CSP allows data: images)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


class LabAdminSite(admin.AdminSite):
    site_header = "labsite"
    site_title = "labsite"
    login_form = TwoFactorLoginForm
    login_template = "admin/login_two_factor.html"

    def each_context(self, request):
        """The header and the browser tab name the lab (the lab profile's name in the
        admin's language, else the other language's), as the public pages do."""
        context = super().each_context(request)
        name = lab_name() or _("Mizoguchi Laboratory")
        context.update(site_header=name, site_title=name)
        return context

    def get_app_list(self, request, app_label=None):
        """Django's list of apps and models, with "Import BibTeX" first among the
        publications, opening the import form (the BibTeX imports entry opens the list
        of past imports; its "Add" opens the form too)."""
        app_list = super().get_app_list(request, app_label)
        user = request.user
        if not (
            user.has_perm("publications.add_importbatch")
            and user.has_perm("publications.add_publication")
        ):
            return app_list
        form = reverse("admin:publications_publication_import")
        for app in app_list:
            if app["app_label"] == "publications":
                for model in app["models"]:
                    if model["object_name"] == "ImportBatch":
                        model["add_url"] = form
                app["models"].insert(
                    0,
                    {
                        # Not the models' "BibTeX imports", which Japanese also calls 読み込み.
                        "name": pgettext_lazy("admin index", "Import BibTeX"),
                        "object_name": "ImportBibTeX",
                        "perms": {"add": True, "change": False, "delete": False, "view": True},
                        "admin_url": form,
                        "add_url": None,
                        "view_only": True,
                        # A form, not a list: no "View" link beside it
                        # (templates/admin/app_list.html).
                        "page": True,
                    },
                )
        return app_list

    def has_permission(self, request):
        """Staff; when every staff member must use two-factor login, verified by a code
        in this session (a session logged in by any other way gets the login page).

        Otherwise the login form asks the enrolled for their code, and no query runs
        here: enrolling does not end sessions already open elsewhere (changing the
        password does; docs/security.md).
        """
        if not super().has_permission(request):
            return False
        return verified(request.user) or not settings.LABSITE_ADMIN_REQUIRE_2FA

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        if self.must_enrol(request):
            # ADMIN_REQUIRE_2FA, and no device yet: enrol first, then the admin.
            return redirect("admin:two_factor")
        return response

    def must_enrol(self, request):
        user = request.user
        return (
            settings.LABSITE_ADMIN_REQUIRE_2FA
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and not verified(user)
        )

    def get_urls(self):
        # Not admin_view(): with ADMIN_REQUIRE_2FA, staff who have no device yet reach
        # this page (and only this one) before they are verified.
        two_factor = csrf_protect(never_cache(self.two_factor))
        return [path("two-factor/", two_factor, name="two_factor"), *super().get_urls()]

    def two_factor(self, request):
        """Turn on two-factor login for oneself: scan the QR code, confirm with a code."""
        user = request.user
        if not (self.has_permission(request) or self.must_enrol(request)):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        context = {**self.each_context(request), "title": _("Two-factor login")}
        if confirmed_devices(user):
            return TemplateResponse(request, "admin/two_factor.html", {**context, "enabled": True})
        with transaction.atomic():
            device = (
                TOTPDevice.objects.devices_for_user(user, confirmed=False)
                .select_for_update()
                .first()
            ) or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        form = EnrolForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["otp_token"].strip()):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                django_otp.login(request, device)  # this session is verified already
                messages.success(
                    request,
                    _("Two-factor login is on: from now on, give a code at every login."),
                )
                return redirect("admin:index")
            form.add_error("otp_token", _("That code is not right. Try the next one."))
        return TemplateResponse(
            request,
            "admin/two_factor.html",
            {
                **context,
                "form": form,
                "qr_code": qr_code_data_uri(device.config_url),
                "secret": b32encode(device.bin_key).decode(),
            },
        )


def lockout_response(request, original_response=None, credentials=None):
    """django-axes's answer to a locked-out login (settings.AXES_LOCKOUT_CALLABLE): 429,
    in the browser's language, saying for how long, with Retry-After."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Login locked"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    response = render(request, "admin/lockout.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
