from django import template

from gonghui.cards.models import CardStatus

register = template.Library()


@register.filter
def card_status(value: str) -> str:
    """A status code as its label (history rows keep codes, people read labels)."""
    try:
        return str(CardStatus(value).label)
    except ValueError:
        return value
