"""The English catalogue is complete, the committed .mo matches the .po, and the language
follows the cookie (pages) or Accept-Language (API)."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{PO_PATH.name}:{self.line} {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """A small .po reader: flags, msgctxt, msgid(_plural), msgstr / msgstr[n], continuations.
    Obsolete (#~) entries are skipped; `makemessages --no-obsolete` leaves none."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def fresh(number: int) -> Entry:
        nonlocal entry
        if entry is None or entry.msgstr:
            entry = Entry(line=number)
            entries.append(entry)
        return entry

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            fresh(number).flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert entry is not None and target is not None, f"stray string at line {number}"
            value: str = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, kind, (getattr(entry, kind) or "") + value)
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        if keyword in {"msgctxt", "msgid"}:
            current = fresh(number)
            if keyword == "msgid" and current.msgctxt is None:
                current.line = number
            setattr(current, keyword, value)
            target = (keyword, 0)
        elif keyword == "msgid_plural":
            assert entry is not None
            entry.msgid_plural = value
            target = (keyword, 0)
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            assert entry is not None
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry.msgstr[index] = value
            target = ("msgstr", index)
        else:
            raise AssertionError(f"unexpected line {number}: {raw!r}")
    return entries


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    entries = parse_po(PO_PATH.read_text(encoding="utf-8"))
    header, *messages = entries
    assert header.msgid == "", "the .po should start with its header"
    return header, messages


def test_header_is_english_utf8_with_two_plural_forms(catalogue):
    header, _messages = catalogue
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "en"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "fuzzy" not in header.flags


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    _header, messages = catalogue
    assert len(messages) > 300
    untranslated = [
        e.where for e in messages if not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    fuzzy = [e.where for e in messages if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy}"


def test_plurals_have_both_forms_and_placeholders_are_kept(catalogue):
    _header, messages = catalogue
    for e in messages:
        if e.msgid_plural is not None:
            assert sorted(e.msgstr) == [0, 1], e.where
        else:
            assert sorted(e.msgstr) == [0], e.where
        if "python-format" in e.flags:
            wanted = set(PLACEHOLDER.findall(e.msgid))
            for text in e.msgstr.values():
                assert set(PLACEHOLDER.findall(text)) == wanted, e.where


class _Missing(gettext.NullTranslations):
    """Fallback that makes a message absent from the .mo visible, even when its English
    happens to equal its msgid."""

    MARK = "<missing from .mo>"

    def gettext(self, message):
        return self.MARK

    def ngettext(self, msgid1, msgid2, n):
        return self.MARK

    def pgettext(self, context, message):
        return self.MARK

    def npgettext(self, context, msgid1, msgid2, n):
        return self.MARK


def test_compiled_mo_matches_the_po(catalogue):
    """A stale .mo (the .po edited, compilemessages not rerun) fails here, no msgfmt needed."""
    _header, messages = catalogue
    with MO_PATH.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    mo.add_fallback(_Missing())
    assert mo.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"
    stale = []
    for e in messages:
        if e.msgid_plural is None:
            got = [mo.gettext(e.msgid) if e.msgctxt is None else mo.pgettext(e.msgctxt, e.msgid)]
        else:
            got = [
                mo.ngettext(e.msgid, e.msgid_plural, n)
                if e.msgctxt is None
                else mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                for n in (1, 2)
            ]
        want = [e.msgstr[i] for i in sorted(e.msgstr)]
        if got != want:
            stale.append((e.where, got, want))
    assert not stale, f"recompile: manage.py compilemessages -l en; {len(stale)} differ: {stale}"


def english(message: str) -> str:
    with translation.override("en"):
        text = translation.gettext(message)
    assert text != message, f"no English for {message!r}"
    return text


@pytest.mark.django_db
def test_login_page_follows_the_language_cookie(client):
    sign_in = english("登录")

    chinese = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "登录" in chinese
    assert sign_in not in chinese

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert sign_in in page
    assert english("工会服务平台") in page
    assert "登录" not in page


@pytest.mark.django_db
def test_domain_error_from_the_api_follows_accept_language(people, login_as):
    carol = login_as(people["carol"])

    response = carol.get("/api/v1/audit", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert response.json()["message"] == english("您没有执行此操作的权限")

    response = carol.get("/api/v1/audit")
    assert response.status_code == 403
    assert response.json()["message"] == "您没有执行此操作的权限"


@pytest.mark.django_db
def test_validation_message_with_a_placeholder_is_english_through_the_api(people, login_as):
    response = login_as(people["carol"]).post(
        "/api/v1/unions",
        {"code": "UX", "name": "丙厂工会", "kind": "grassroots", "parent": "CA", "uscc": "123"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "org.uscc_invalid"
    with translation.override("en"):
        wanted = translation.gettext("统一社会信用代码 %(uscc)s 无效，请核对校验位") % {
            "uscc": "123"
        }
    assert body["message"] == wanted
    assert "123" in body["message"]
