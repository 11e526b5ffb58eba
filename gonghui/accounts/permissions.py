"""The catalogue of permissions. A role is a set of these codes; a department narrows a staff
assignment to its own programs. Later programs add their codes here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PERMISSIONS: dict[str, StrOrPromise] = {
    "org.view": _("查看组织架构"),
    "org.manage": _("维护组织架构（新建、更名、迁移、合并、撤销、导入）"),
    "accounts.manage": _("管理账号（新建、停用、重置密码）"),
    "roles.assign": _("分配角色"),
    "security.manage": _("安全管理（解锁账号、重置双因素认证）"),
    "audit.view": _("查看审计日志"),
    "audit.export": _("导出审计日志"),
    "members.view": _("查看会员"),
    "members.change": _("维护会员"),
    "members.import": _("导入会员名册"),
    "members.export": _("导出会员名册"),
    "members.reveal": _("查看完整身份证号和手机号"),
    "jobs.view": _("查看后台任务"),
    "calendar.manage": _("维护工作日历（调休、地方节假日）"),
    "cards.view": _("查看会员卡、服务商户和优惠交易"),
    "cards.change": _("办理会员卡，审核和管理服务商户，确认结算"),
    "infowork.submit": _("以信息员身份投稿"),
}

# Prefixes that are programs run by departments; other permissions are shared by all staff.
PROGRAMS: dict[str, StrOrPromise] = {
    "mutualaid": _("职工医疗互助"),
    "hardship": _("困难职工帮扶"),
    "disputes": _("劳动争议"),
    "women": _("女职工工作"),
    "modelworkers": _("劳模工作"),
    "innovation": _("职工创新"),
    "competitions": _("劳动竞赛"),
    "health": _("职业健康"),
    "professors": _("义工教授"),
    "infowork": _("信息工作"),
    "assessment": _("目标考核"),
    "finance": _("经费审查审计"),
    "cards": _("会员卡与优惠商户"),
}

# The three administrators: none holds another's permissions (三权分立).
ADMIN_ROLES = ("system_admin", "security_admin", "audit_admin")


def program_of(permission: str) -> str:
    return permission.split(".", 1)[0]


def narrow_to_department(permissions: frozenset[str], programs: list[str] | None) -> frozenset[str]:
    """A department assignment keeps shared permissions and only its own programs' ones."""
    if programs is None:
        return permissions
    return frozenset(
        p for p in permissions if program_of(p) not in PROGRAMS or program_of(p) in programs
    )
