"""Pure rules of the member card: its one state machine, the card numbers it carries, and the
member's dynamic QR code. Nothing here touches the database (tests/test_rules.py).

The QR code is TOTP-shaped (RFC 6238 over RFC 4226's truncation, HMAC-SHA256, 8 digits) on a
per-member secret, prefixed with "GH" and the member's random `handle`, so the server finds
the secret without a search and the code names no member number."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import datetime

from django.utils.translation import gettext as _
from stdnum import luhn

from gonghui.cards.models import CardStatus
from gonghui.core.errors import DomainError

S = CardStatus

# status -> statuses it may move to. 补卡 is `lost -> replaced` on the old card and a new card
# (applied, `replaces` = old) in the same transaction; replaced and cancelled are for good.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLIED: frozenset({S.PRODUCING, S.CANCELLED}),
    S.PRODUCING: frozenset({S.MADE, S.APPLIED, S.CANCELLED}),  # -> applied: production failed
    S.MADE: frozenset({S.ACTIVE, S.CANCELLED}),
    S.ACTIVE: frozenset({S.LOST, S.CANCELLED}),
    S.LOST: frozenset({S.ACTIVE, S.REPLACED, S.CANCELLED}),  # -> active: 解除挂失
    S.REPLACED: frozenset(),
    S.CANCELLED: frozenset(),
}
# The member or the officer must say why: it stays in the card's history.
REASON_REQUIRED = frozenset({S.LOST, S.CANCELLED})
NOTE_MAX = 200

CITIZEN_NO_LENGTHS = range(12, 21)
BANK_NO_LENGTHS = range(16, 20)
SEPARATORS = re.compile(r"[\s\-_]+")

QR_STEP_SECONDS = 30
QR_PREFIX = "GH"
QR_DIGITS = 8
QR_WINDOW = 1  # steps either side of the verifier's own step
# The handle alphabet leaves out 0/O and 1/I so a cashier can type a code off the screen.
HANDLE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
HANDLE_LENGTH = 6
QR_PATTERN = re.compile(
    rf"^{QR_PREFIX}([{HANDLE_ALPHABET}]{{{HANDLE_LENGTH}}})(\d{{{QR_DIGITS}}})$"
)


def status_label(status: str) -> str:
    return str(CardStatus(status).label)


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise DomainError(
            "cards.transition_invalid",
            _("该会员卡当前为“%(from)s”，不能改为“%(to)s”")
            % {"from": status_label(current), "to": status_label(target)},
            {"from": current, "to": target},
        )


def allowed_targets(current: str) -> frozenset[str]:
    return TRANSITIONS.get(current, frozenset())


def clean_note(target: str, note: str) -> str:
    """The reason shown in the history: required for 挂失 and 注销, at most NOTE_MAX long."""
    cleaned = " ".join(str(note or "").split())
    if target in REASON_REQUIRED and not cleaned:
        raise DomainError(
            "cards.reason_required",
            _("请填写%(what)s的原因") % {"what": _("挂失") if target == S.LOST else _("注销")},
        )
    if len(cleaned) > NOTE_MAX:
        raise DomainError("cards.reason_too_long", _("原因最多 200 个字"))
    return cleaned


def _digits(value: str) -> str:
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or "")))


def normalise_card_no(value: str) -> str:
    """A 市民卡 number as printed or read: full-width digits, spaces and dashes allowed."""
    text = _digits(value)
    if not text.isascii() or not text.isdigit() or len(text) not in CITIZEN_NO_LENGTHS:
        raise DomainError(
            "cards.card_no_invalid",
            _("市民卡号应为 12 至 20 位数字"),
            {"length": len(text)},
        )
    return text


def normalise_bank_card_no(value: str) -> str:
    """A co-branded bank card number: 16 to 19 digits with a valid Luhn check digit."""
    text = _digits(value)
    if not text.isascii() or not text.isdigit() or len(text) not in BANK_NO_LENGTHS:
        raise DomainError("cards.bank_card_invalid", _("联名银行卡号应为 16 至 19 位数字"))
    if not luhn.is_valid(text):
        raise DomainError("cards.bank_card_invalid", _("联名银行卡号校验位不对，请核对"))
    return text


def last4(number: str) -> str:
    return number[-4:]


# -- the dynamic QR code --------------------------------------------------------------------


def qr_step(at: datetime) -> int:
    """The 30-second step `at` falls in, counted from the Unix epoch (`at` must be aware)."""
    return int(at.timestamp() // QR_STEP_SECONDS)


def hotp(secret: str, step: int) -> str:
    """RFC 4226 dynamic truncation of HMAC-SHA256(secret, step) to QR_DIGITS digits; with
    secret "12345678901234567890123456789012" it gives RFC 6238's SHA-256 test values."""
    digest = hmac.digest(secret.encode(), step.to_bytes(8, "big"), hashlib.sha256)
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 10**QR_DIGITS:0{QR_DIGITS}d}"


def qr_code(*, handle: str, secret: str, step: int) -> str:
    return f"{QR_PREFIX}{handle}{hotp(secret, step)}"


def parse_qr(code: str) -> tuple[str, str] | None:
    """(handle, digits) of a code as scanned or typed (spaces and case forgiven); None when it
    is not shaped like a member QR code."""
    text = SEPARATORS.sub("", unicodedata.normalize("NFKC", str(code or ""))).upper()
    match = QR_PATTERN.match(text)
    return (match.group(1), match.group(2)) if match else None


def in_window(step: int, now_step: int) -> bool:
    return abs(step - now_step) <= QR_WINDOW


def qr_match(*, secret: str, digits: str, now_step: int, lookback: int = 0) -> int | None:
    """The step whose code is `digits`, trying now±QR_WINDOW first and then, when `lookback`
    is given, that many older steps (to tell an expired code from a wrong one). Constant-time
    comparisons; None when nothing matches."""
    window = range(now_step - QR_WINDOW, now_step + QR_WINDOW + 1)
    older = range(now_step - QR_WINDOW - 1, now_step - QR_WINDOW - 1 - lookback, -1)
    candidates: list[int] = [s for s in (*window, *older) if s >= 0]
    for step in candidates:
        if hmac.compare_digest(hotp(secret, step).encode(), digits.encode()):
            return step
    return None


def valid_handle(handle: str) -> bool:
    return len(handle) == HANDLE_LENGTH and all(c in HANDLE_ALPHABET for c in handle)
