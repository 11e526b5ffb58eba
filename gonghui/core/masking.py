"""How sensitive values look to people without the reveal permission."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """`410102199001011234` → `410***********1234` (first 3 and last 4 kept)."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    """`13812345678` → `138****5678`."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_account(value: str | None) -> str:
    """Bank and card numbers: only the last 4 shown."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_name(name: str) -> str:
    """What the terminal shows of a member: `张*`, `张*明`, `欧**锋`; the first and last
    characters kept, the rest hidden (a single character stays as it is)."""
    name = "".join(name.split())
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
