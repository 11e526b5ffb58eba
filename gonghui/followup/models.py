"""会议、决定事项、督办事项和逾期提醒."""

from __future__ import annotations
