from __future__ import annotations

from django import template

from gonghui.core.money import format_fen

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """`{{ amount_fen|yuan }}` → `¥1,234.50` (empty for None)."""
    return "" if fen is None else format_fen(fen)
