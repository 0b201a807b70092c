"""The English interface, the formal "Sie" in German, and the committed message catalogs.

Source strings are German. ``oglabs/locale/en`` holds the English translation; ``oglabs/locale/de``
only overrides django-allauth's informal German ("du") with the formal "Sie" (merged in from
``de/allauth_formal.po`` by ``make messages``). The compiled ``.mo`` files are committed because a
fresh machine has no GNU gettext, so the tests also check that they match the ``.po`` sources.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.calls import make_call

LOCALE = Path(settings.LOCALE_PATHS[0])


@dataclass
class _Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one per plural form
    flags: list[str] = field(default_factory=list)

    @property
    def is_done(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags


def _parse_po(path: Path) -> list[_Entry]:
    """The entries of a .po file, header first; obsolete entries (``#~``) are skipped.

    Deliberately tiny: the catalogs are written by GNU gettext, so every string is a sequence
    of double-quoted C-style literals.
    """
    entries: list[_Entry] = []
    entry, target = _Entry(), ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.msgstr:
                entries.append(entry)
            entry, target = _Entry(), ""
        elif line.startswith("#,"):
            entry.flags = [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, literal = line.partition(" ")
            target = "msgstr" if keyword.startswith("msgstr") else keyword
            if target == "msgstr":
                entry.msgstr.append("")
            else:
                setattr(entry, target, "")
            _append(entry, target, ast.literal_eval(literal))
    return entries


def _append(entry: _Entry, target: str, text: str) -> None:
    if target == "msgstr":
        entry.msgstr[-1] += text
    else:
        setattr(entry, target, (getattr(entry, target) or "") + text)


def _translated(path: Path) -> dict[str, str]:
    """msgid → msgstr of every translated, non-fuzzy entry except the header."""
    return {e.msgid: e.msgstr[0] for e in _parse_po(path)[1:] if e.is_done}


# --- English pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_in_english_shows_english_headings_and_switch(client: Client) -> None:
    make_call()

    html = client.get("/en/").content.decode()

    assert '<html lang="en"' in html
    assert '<h1 class="kern-heading-x-large">Regional Open Government Labs</h1>' in html
    assert '<h2 id="calls-heading" class="kern-heading-large">Funding calls</h2>' in html
    assert '<dt class="kern-description-list-item__key">Total funding</dt>' in html
    assert 'aria-label="Choose language"' in html
    assert re.search(r'<button[^>]*value="en"[^>]*aria-current="true">\s*English\s*</button>', html)
    assert re.search(r'<button[^>]*value="de"[^>]*>\s*Deutsch\s*</button>', html)
    assert ">Legal notice (Impressum)</a>" in html
    assert ">Easy Read (Leichte Sprache)</a>" in html


@pytest.mark.django_db
def test_privacy_policy_in_english(client: Client) -> None:
    html = client.get("/en/datenschutz/").content.decode()

    assert '<h1 class="kern-heading-x-large">Privacy policy</h1>' in html
    assert "<h2>10. Your rights</h2>" in html
    assert "There are no analytics or tracking tools and no advertising." in html


@pytest.mark.django_db
def test_call_detail_in_english_translates_headings_not_call_data(client: Client) -> None:
    call = make_call()

    html = client.get(f"/en/aufrufe/{call.slug}/").content.decode()

    assert "<h2>Key facts</h2>" in html
    assert "<h2>Who can apply?</h2>" in html
    # data stays as entered, marked as German (WCAG 3.1.2)
    assert f'<h1 class="kern-heading-x-large" lang="de">{call.title}</h1>' in html


# --- German: the formal "Sie" ------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_in_german_uses_sie(client: Client) -> None:
    html = client.get(reverse("account_login")).content.decode()

    signup = reverse("account_signup")
    assert (
        f'Sie haben noch kein Konto? Dann <a href="{signup}">registrieren Sie sich</a> bitte zuerst.' in html
    )
    assert "Du hast" not in html


@pytest.mark.django_db
def test_signup_page_in_german_uses_sie(client: Client) -> None:
    html = client.get(reverse("account_signup")).content.decode()

    login = reverse("account_login")
    assert f'Sie haben bereits ein Konto? Dann <a href="{login}">melden Sie sich bitte an</a>.' in html


@pytest.mark.django_db
def test_login_throttle_message_in_german_uses_sie(client: Client) -> None:
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "falsch-falsch-falsch"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert (
        "Zu viele gescheiterte Anmeldeversuche. Bitte versuchen Sie es später erneut."
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_german_catalog_overrides_every_allauth_message_with_sie() -> None:
    overrides = _translated(LOCALE / "de" / "allauth_formal.po")
    german = _translated(LOCALE / "de" / "LC_MESSAGES" / "django.po")

    assert len(overrides) == 41
    assert {msgid: german.get(msgid) for msgid in overrides} == overrides  # merged by `make messages`
    informal = re.compile(r"\b(du|Du|dein\w*|Dein\w*|dich|Dich|dir|Dir)\b")
    assert [text for text in german.values() if informal.search(text)] == []
    with translation.override("de"):
        assert translation.gettext("Verify Your Email Address") == "Bestätigen Sie Ihre E-Mail-Adresse"


# --- The catalogs themselves ------------------------------------------------------------------------


def test_every_english_entry_is_translated() -> None:
    entries = _parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")[1:]  # [0] is the header

    untranslated = [e.msgid for e in entries if not all(e.msgstr)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert len(entries) > 400
    assert untranslated == []
    assert fuzzy == []


def test_english_translations_keep_placeholders() -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
    mismatched = []
    for entry in _parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")[1:]:
        sources = [entry.msgid, entry.msgid_plural or entry.msgid]
        for index, text in enumerate(entry.msgstr):
            wanted = set(placeholder.findall(sources[min(index, 1)]))
            found = set(placeholder.findall(text))
            # a singular form may say "one" instead of "%(count)d"
            if found != wanted and not (index == 0 and entry.msgid_plural and found < wanted):
                mismatched.append(entry.msgid)
    assert mismatched == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_committed_mo_matches_po(language: str) -> None:
    directory = LOCALE / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = [e for e in _parse_po(directory / "django.po")[1:] if e.is_done]

    assert entries
    for entry in entries:
        if entry.msgid_plural:
            found = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        elif entry.msgctxt is not None:
            found = [compiled.pgettext(entry.msgctxt, entry.msgid)]
        else:
            found = [compiled.gettext(entry.msgid)]
        assert found == entry.msgstr, f"stale .mo: run `make messages` and commit it ({entry.msgid!r})"
