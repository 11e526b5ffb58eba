"""A fictitious city federation (鹤川市总工会) for the demo and for benchmarks.

Everything here is invented: names, enterprises, credit codes and identity numbers are
generated with valid check characters. Running it twice adds nothing the second time."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.cn import uscc as stdnum_uscc

from gonghui.accounts import services as account_services
from gonghui.accounts.models import Assignment, Role, User
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Department, Union

DEMO_PASSWORD = "Gonghui@2026"
CITY = ("HC", "鹤川市总工会")
COUNTIES = [
    ("D01", "鹤山区总工会", "419902"),
    ("D02", "川东区总工会", "419903"),
    ("D03", "川西区总工会", "419904"),
    ("D04", "北湖新区总工会", "419905"),
    ("D05", "临河县总工会", "419921"),
    ("D06", "青岭县总工会", "419922"),
]
INDUSTRIES = [
    ("I01", "鹤川市教育工会"),
    ("I02", "鹤川市卫生工会"),
    ("I03", "鹤川市交通运输工会"),
    ("I04", "鹤川市机械冶金工会"),
]
PREFIXES = [
    "恒达",
    "宏远",
    "鑫源",
    "华兴",
    "鼎盛",
    "瑞丰",
    "金桥",
    "天成",
    "永安",
    "嘉禾",
    "博远",
    "新纪元",
    "润泽",
    "同创",
    "中和",
    "泰和",
    "锦程",
    "立信",
    "东方",
    "长青",
]
TRADES = [
    ("机械制造", "有限公司"),
    ("食品", "有限公司"),
    ("建材", "股份有限公司"),
    ("物流", "有限公司"),
    ("化工", "有限公司"),
    ("纺织", "有限公司"),
    ("电子科技", "有限公司"),
    ("汽车零部件", "有限公司"),
    ("商贸", "有限公司"),
    ("建筑工程", "有限公司"),
    ("热电", "有限公司"),
    ("医药", "股份有限公司"),
]
INDUSTRY_UNITS = {
    "I01": [
        "第一中学",
        "实验小学",
        "职业技术学院",
        "第三中学",
        "师范学校",
        "外国语学校",
        "幼儿园",
        "第五中学",
    ],
    "I02": [
        "人民医院",
        "中医院",
        "妇幼保健院",
        "疾控中心",
        "第二人民医院",
        "口腔医院",
        "急救中心",
        "精神卫生中心",
    ],
    "I03": [
        "公交集团",
        "出租汽车公司",
        "长途客运公司",
        "快递行业联合会",
        "外卖骑手服务站",
        "网约车行业协会",
        "货运物流园",
        "城际铁路公司",
    ],
    "I04": [
        "重型机械厂",
        "钢铁公司",
        "铝业公司",
        "机床厂",
        "铸造公司",
        "轴承厂",
        "锅炉厂",
        "起重机公司",
    ],
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    where: str
    totp_secret: str | None


# Later programs add their own demo data here: each takes (rng, members=N) and is idempotent.
DEMO_SEEDERS: list[Callable[..., Any]] = []


def _uscc(rng: random.Random) -> str:
    body = (
        "91"
        + "4199"
        + f"{rng.randrange(0, 100):02d}"
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + stdnum_uscc.calc_check_digit(body)


def _union(code: str, name: str, kind: str, parent: Union | None, **extra: Any) -> Union:
    existing = Union.objects.filter(code=code).first()
    if existing:
        return existing
    return org_services.union_create(
        by=None, code=code, name=name, kind=kind, parent=parent, **extra
    )


def build_tree(rng: random.Random) -> Union:
    city = _union(*CITY, "city", None, address="鹤川市人民路1号")
    for code, name, _region in COUNTIES:
        county = _union(code, name, "county", city, address=f"鹤川市{name[:-3]}政府街8号")
        for i in range(1, 31):
            prefix = PREFIXES[(i * 7 + int(code[1:])) % len(PREFIXES)]
            trade, suffix = TRADES[(i + int(code[1:])) % len(TRADES)]
            enterprise = f"鹤川{prefix}{trade}{suffix}"
            e_code = f"{code}E{i:03d}"
            if not Union.objects.filter(code=e_code).exists():
                grassroots = _union(
                    e_code,
                    f"{enterprise}工会委员会",
                    "grassroots",
                    county,
                    uscc=_uscc(rng),
                    address=f"{name[:-3]}工业路{i}号",
                )
                if i <= 2:
                    for b in (1, 2):
                        _union(f"{e_code}-B{b}", f"{enterprise}第{b}车间分会", "branch", grassroots)
    for code, name in INDUSTRIES:
        industry = _union(code, name, "industry", city)
        for i, unit in enumerate(INDUSTRY_UNITS[code], start=1):
            _union(f"{code}E{i:03d}", f"鹤川市{unit}工会", "grassroots", industry, uscc=_uscc(rng))
    return city


def _demo_totp_key(username: str) -> str:
    return hashlib.sha256(f"gonghui-demo-totp:{username}".encode()).hexdigest()[:40]


def _account(username: str, display_name: str, kind: str = "staff") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(
            by=None, username=username, password=DEMO_PASSWORD, display_name=display_name, kind=kind
        )
    return user


def _give(user: User, union: Union, role: str, department: str | None = None) -> None:
    Assignment.objects.get_or_create(
        user=user,
        union=union,
        role=Role.objects.get(code=role),
        department=Department.objects.get(code=department) if department else None,
    )


def _totp(user: User) -> str:
    key = _demo_totp_key(user.username)
    TOTPDevice.objects.get_or_create(
        user=user, name="demo", defaults={"key": key, "confirmed": True}
    )
    return base64.b32encode(bytes.fromhex(key)).decode()


def build_accounts(city: Union) -> list[DemoLogin]:
    county = Union.objects.get(code="D01")
    grassroots = Union.objects.get(code="D01E001")
    other = Union.objects.get(code="D02E001")
    logins: list[DemoLogin] = []
    for username, name, role in [
        ("sysadmin", "系统管理员", "system_admin"),
        ("secadmin", "安全管理员", "security_admin"),
        ("auditor", "审计管理员", "audit_admin"),
    ]:
        user = _account(username, name)
        if not user.assignments.exists():
            account_services.admin_grant(user=user, role_code=role, root=city)
        logins.append(DemoLogin(username, role, city.name, _totp(user)))
    staff = [
        ("leader", "周建国", city, "leader", None),
        ("baozhang", "李秀英", city, "dept_staff", "security"),
        ("bangong", "吴强", city, "dept_staff", "office"),
        ("xuanjiao", "孙丽", city, "dept_staff", "publicity"),
        ("shengchan", "郑磊", city, "dept_staff", "production"),
        ("county", "王海燕", county, "county_staff", None),
        ("officer", "张伟", grassroots, "union_officer", None),
        ("officer2", "刘洋", other, "union_officer", None),
    ]
    for username, name, union, role, department in staff:
        user = _account(username, name)
        _give(user, union, role, department)
        secret = _totp(user) if union.kind in {"city", "county", "industry"} else None
        logins.append(
            DemoLogin(username, role + (f"/{department}" if department else ""), union.name, secret)
        )
    for username, name, kind in [
        ("member", "陈静", "member"),
        ("merchant", "鹤川恒达餐饮", "merchant"),
        ("professor", "赵明教授", "professor"),
        ("enterprise", "鹤川恒达机械制造有限公司", "enterprise"),
    ]:
        _account(username, name, kind)
        logins.append(DemoLogin(username, kind, "", None))
    return logins


def seed(*, members: int = 0, seed_value: int = 2026) -> list[DemoLogin]:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("seed_demo refuses to run with GONGHUI_ENV=production")
    rng = random.Random(seed_value)  # noqa: S311 (fictitious demo data)
    with transaction.atomic():
        city = build_tree(rng)
        logins = build_accounts(city)
    for seeder in DEMO_SEEDERS:
        seeder(rng, members=members)
    return logins
