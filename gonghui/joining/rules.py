"""Pure rules of the application to join: where it may go, the consent it needs, its one state
machine and its deadline. Nothing here touches the database (tests/test_rules.py)."""

from __future__ import annotations

import hmac
import secrets
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import idnumbers
from gonghui.core.errors import DomainError
from gonghui.joining.models import ApplicationStatus
from gonghui.members.rules import NEW_FORM_CATEGORIES

# The union answers within this many working days of the submission (PIPL-style deadlines
# are shown to both sides).
DEADLINE_WORKING_DAYS = 15

# 单独同意 (PIPL art. 29/31 spirit): the text the applicant ticked is kept by version; a new
# wording gets a new version and the old ones stay here so past consents can be shown.
CONSENT_TEXTS: dict[str, Promise] = {
    "2026-01": gettext_lazy(
        "我单独同意工会为办理入会收集、使用我的公民身份号码和手机号码：身份证号仅用于核实身份、"
        "确认我尚未登记为会员和办理入会，手机号仅用于就本次申请与我联系。以上信息加密保存，"
        "只有受理本申请的工会工作人员可以查看，页面上遮盖显示；申请未获同意或撤回后，"
        "按规定期限删除。我可以在答复前撤回申请。"
    ),
}
CONSENT_VERSION = "2026-01"

# Kinds of union an application may be addressed to, and which workers may use each.
PUBLIC_UNION_KINDS = frozenset({"grassroots", "industry", "county"})
GRASSROOTS_KINDS = frozenset({"grassroots"})
NEW_FORM_EXTRA_KINDS = frozenset({"industry", "county"})

APPLICATION_NO_DIGITS = 8
UNION_QUERY_MIN_CHARS = 2
UNION_SEARCH_LIMIT = 20

# status -> statuses it may move to; every decision leaves `pending` for good.
TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.PENDING: frozenset(
        {ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.ACCEPTED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise DomainError(
            "joining.transition_invalid",
            _("该入会申请已是“%(from)s”，不能再改为“%(to)s”")
            % {
                "from": ApplicationStatus(current).label,
                "to": ApplicationStatus(target).label,
            },
            {"from": current, "to": target},
        )


def consent_text(version: str = CONSENT_VERSION) -> str:
    return str(CONSENT_TEXTS[version])


def check_consent(version: str | None) -> str:
    """Only the wording shown today can be agreed to; no consent, no application."""
    if not version:
        raise DomainError(
            "joining.consent_required",
            _("请阅读并勾选同意处理身份证号和手机号的说明，否则无法办理入会"),
        )
    if version != CONSENT_VERSION:
        raise DomainError(
            "joining.consent_outdated",
            _("同意书已更新，请刷新页面，阅读新的说明后重新勾选"),
            {"current": CONSENT_VERSION},
        )
    return version


def union_kinds_for(category: str) -> frozenset[str]:
    """New-form workers whose employer has no union may go to the county/district or industry
    union; everyone else joins through the grassroots union of their employer."""
    if category in NEW_FORM_CATEGORIES:
        return GRASSROOTS_KINDS | NEW_FORM_EXTRA_KINDS
    return GRASSROOTS_KINDS


def check_route(*, category: str, union_kind: str, union_open: bool) -> None:
    if not union_open or union_kind not in PUBLIC_UNION_KINDS:
        raise DomainError("joining.union_invalid", _("所选工会不能受理入会申请，请重新搜索并选择"))
    if union_kind not in union_kinds_for(category):
        raise DomainError(
            "joining.union_kind_invalid",
            _(
                "请选择您所在单位的基层工会；只有快递员、外卖送餐员、网约车司机等新就业形态"
                "劳动者在单位没有工会时，才可以向县（市、区）总工会或产业工会申请"
            ),
            {"category": category, "union_kind": union_kind},
        )


def union_query(text: str) -> str:
    """The name fragment to search for, or "" when too short to search (so a single character
    cannot list the whole city)."""
    cleaned = "".join(text.split())[:40]
    return cleaned if len(cleaned) >= UNION_QUERY_MIN_CHARS else ""


def new_application_no() -> str:
    return "J" + "".join(secrets.choice("0123456789") for _ in range(APPLICATION_NO_DIGITS))


def normalise_application_no(text: str) -> str:
    return "".join(str(text).split()).upper()


def last4_matches(id_number: str, last4: str) -> bool:
    """Constant-time: the comparison must not tell how many characters were right."""
    given = idnumbers.normalise(last4)
    if len(given) != 4:
        return False
    return hmac.compare_digest(id_number[-4:].encode(), given.encode())


def days_left(deadline: date, today: date) -> int:
    """Calendar days until the deadline: 0 on the day itself, negative once overdue."""
    return (deadline - today).days


def clean_employer_name(text: str) -> str:
    cleaned = " ".join(str(text).split())
    if len(cleaned) > 120:
        raise DomainError("joining.employer_too_long", _("工作单位名称最多 120 个字"))
    return cleaned
