"""困难职工档案、帮扶救助、应急救援."""

from __future__ import annotations
