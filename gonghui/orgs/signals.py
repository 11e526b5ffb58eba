"""Hooks for apps whose rows hang off a union (members, funds …).

`union_merging(source, target, by)`: move your rows from source to target, or raise
DomainError to refuse.
`union_closing(union, by)`: raise DomainError when the union still has rows that must go first."""

from django.dispatch import Signal

union_merging = Signal()
union_closing = Signal()
