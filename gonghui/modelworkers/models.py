"""劳模名册、津贴、疗休养、劳模大讲堂."""

from __future__ import annotations
