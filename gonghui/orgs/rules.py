"""Pure rules of the union tree: which kind may sit under which, codes, credit codes, paths."""

from __future__ import annotations

from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from gonghui.core.errors import DomainError

# kind -> kinds its parent may have
ALLOWED_PARENT_KINDS: dict[str, frozenset[str]] = {
    "city": frozenset(),
    "county": frozenset({"city"}),
    "industry": frozenset({"city", "county"}),
    "grassroots": frozenset({"city", "county", "industry"}),
    "branch": frozenset({"grassroots", "branch"}),
}
STAFF_LEVEL_KINDS = frozenset({"city", "county", "industry"})
FULLWIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)


def normalise_code(raw: str) -> str:
    return raw.translate(FULLWIDTH).strip().upper()


def check_parent_kind(kind: str, parent_kind: str | None) -> None:
    allowed = ALLOWED_PARENT_KINDS.get(kind)
    if allowed is None:
        raise DomainError(
            "org.kind_invalid", _("未知的工会类型：%(kind)s") % {"kind": kind}, {"kind": kind}
        )
    if parent_kind is None:
        if kind != "city":
            raise DomainError(
                "org.parent_required", _("只有市总工会可以没有上级工会"), {"kind": kind}
            )
        return
    if parent_kind not in allowed:
        raise DomainError(
            "org.parent_kind_invalid",
            _("这一类型的工会不能设在所选上级工会之下"),
            {"kind": kind, "parent_kind": parent_kind},
        )


def normalise_uscc(raw: str | None) -> str | None:
    """Validate a 统一社会信用代码 (GB 32100, check character included); None when empty."""
    if raw is None:
        return None
    value = raw.translate(FULLWIDTH).replace(" ", "").strip().upper()
    if not value:
        return None
    try:
        return str(stdnum_uscc.validate(value))
    except StdnumValidationError as exc:
        raise DomainError(
            "org.uscc_invalid",
            _("统一社会信用代码 %(uscc)s 无效，请核对校验位") % {"uscc": value},
            {"uscc": value},
        ) from exc


def child_path(parent_path: str | None, code: str) -> str:
    return f"{parent_path or '/'}{code}/"
