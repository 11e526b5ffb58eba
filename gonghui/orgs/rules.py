"""Pure rules of the union tree: which kind may sit under which, codes, credit codes, paths."""

from __future__ import annotations

import re

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
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
NAME_MAX_LENGTH = 120
ADDRESS_MAX_LENGTH = 200
# Union.path is varchar(400): deep enough for a dozen levels of the longest codes.
PATH_MAX_LENGTH = 400
FULLWIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)


def normalise_code(raw: str) -> str:
    return raw.translate(FULLWIDTH).strip().upper()


def check_code(code: str) -> str:
    """A normalised code that can sit in a path: 1–32 capital letters, digits or hyphens."""
    if not CODE_PATTERN.match(code):
        raise DomainError(
            "org.code_invalid",
            _("代码只能由1–32位大写字母、数字或连字符组成，且不能以连字符开头"),
            {"code": code},
        )
    return code


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("org.name_required", _("请填写工会名称"))
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            "org.name_too_long",
            _("工会名称不能超过 %(max)d 个字") % {"max": NAME_MAX_LENGTH},
            {"max": NAME_MAX_LENGTH},
        )
    return name


def check_address(address: str) -> str:
    address = address.strip()
    if len(address) > ADDRESS_MAX_LENGTH:
        raise DomainError(
            "org.address_too_long",
            _("地址不能超过 %(max)d 个字") % {"max": ADDRESS_MAX_LENGTH},
            {"max": ADDRESS_MAX_LENGTH},
        )
    return address


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


def check_path_length(length: int) -> None:
    """`length` of the longest path a change would write."""
    if length > PATH_MAX_LENGTH:
        raise DomainError(
            "org.too_deep",
            _("层级太深：从市总工会到这里的代码路径超过了 %(max)d 个字符")
            % {"max": PATH_MAX_LENGTH},
            {"max": PATH_MAX_LENGTH},
        )
