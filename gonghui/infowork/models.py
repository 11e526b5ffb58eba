"""信息员、投稿、刊用记录、积分和排名."""

from __future__ import annotations
