"""送温暖活动：预算、对象名单、发放和签收."""

from __future__ import annotations
