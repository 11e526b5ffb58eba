"""The workspace navigation follows the user's roles and departments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.scoping import grants_of, has_perm
from gonghui.accounts.twofactor import two_factor_required

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NAV: list[tuple[str, StrOrPromise, tuple[str, ...]]] = [
    ("accounts:workspace", _("工作台"), ()),
    ("orgs:tree", _("组织架构"), ("org.view",)),
    ("members:list", _("会员"), ("members.view",)),
    ("members:transfers", _("转会"), ("members.change",)),
    ("joining:list", _("入会申请"), ("members.change",)),
    ("cards:list", _("会员卡"), ("cards.view",)),
    ("merchants:list", _("服务商户"), ("cards.view",)),
    ("pos:stats", _("优惠交易"), ("cards.view",)),
    ("mutualaid:home", _("职工医疗互助"), ("mutualaid.view",)),
    ("hardship:home", _("困难职工帮扶"), ("hardship.view",)),
    ("warmth:home", _("送温暖"), ("hardship.view",)),
    ("modelworkers:home", _("劳模工作"), ("modelworkers.view",)),
    ("infowork:home", _("信息工作"), ("infowork.view", "infowork.submit")),
    ("assessment:home", _("目标考核"), ("assessment.view",)),
    ("benchmarking:home", _("对标管理"), ("assessment.view",)),
    ("followup:home", _("督查督办"), ("assessment.view",)),
    ("followup:mine", _("我的督办"), ()),
    ("accounts:user_list", _("账号与岗位"), ("accounts.manage", "roles.assign", "security.manage")),
    ("audit:log", _("审计日志"), ("audit.view",)),
    ("core:calendar", _("工作日历"), ("calendar.manage",)),
    ("jobs:list", _("后台任务"), ()),
]


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.kind != "staff":
        return {}
    verified = getattr(user, "is_verified", lambda: True)()
    if not verified and two_factor_required(user):
        return {}  # every page but the TOTP step is closed until it is passed: no menu yet
    items = [
        {"url": reverse(name), "label": label, "active": False}
        for name, label, perms in NAV
        if not perms or any(has_perm(user, p) for p in perms)
    ]
    # The current section is the longest menu address the page's address starts with
    # (/w/members/transfers/ is 转会, not 会员).
    matching = [item for item in items if request.path.startswith(str(item["url"]))]
    if matching:
        max(matching, key=lambda item: len(str(item["url"])))["active"] = True
    return {"nav_items": items, "grants": grants_of(user)}
