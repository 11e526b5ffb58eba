"""先进城市对标、差距、问题、措施和学习考察."""

from __future__ import annotations
