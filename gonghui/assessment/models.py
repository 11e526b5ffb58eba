"""年度指标体系、自评、审核、得分和排名."""

from __future__ import annotations
