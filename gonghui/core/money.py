"""Money is integer fen (分) everywhere; these turn it into text people read and back."""

from __future__ import annotations

import re
import unicodedata

YUAN_RE = re.compile(r"^(?P<sign>-)?(?P<yuan>\d{1,12})(?:\.(?P<fen>\d{1,2}))?$")


def format_fen(fen: int, *, symbol: bool = True) -> str:
    """`123450` → `¥1,234.50`; negative amounts keep their sign before the symbol."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{'¥' if symbol else ''}{yuan:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """`12.5`, `１２.５０`, `¥1,234.50` → fen. Raises ValueError on anything else (never
    rounds: a third decimal is an error, not a silent change)."""
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").lstrip("¥￥")
    match = YUAN_RE.match(cleaned.strip())
    if match is None:
        raise ValueError(text)
    fen = int(match["yuan"]) * 100 + int((match["fen"] or "0").ljust(2, "0"))
    return -fen if match["sign"] else fen
