"""Fictitious member service merchants for the demo city (鹤川市): 320 with codes SH00001–
SH00320 spread over the six county unions and the eight categories, a few suspended, expired
or terminated, five applications waiting; the demo accounts "merchant" (manager) and "cashier"
at SH00001, and one terminal key whose id and secret are derived from a fixed string so the
README can show a working signed request. Idempotent: a second run adds nothing."""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from gonghui.accounts import services as account_services
from gonghui.accounts.models import User, UserKind
from gonghui.merchants import rules
from gonghui.merchants.models import (
    Category,
    Contract,
    DiscountKind,
    Merchant,
    MerchantEvent,
    MerchantStaff,
    MerchantStatus,
    StaffRole,
    TerminalKey,
)
from gonghui.orgs.models import Union

MERCHANTS = 320
APPLICATIONS = 5
CENTRE = (32.39, 119.42)
# Each county's town centre, within ±0.09° of the city centre; shops lie within ±0.03° of it.
TOWNS = {
    "D01": (32.392, 119.421),
    "D02": (32.405, 119.478),
    "D03": (32.381, 119.362),
    "D04": (32.468, 119.432),
    "D05": (32.318, 119.488),
    "D06": (32.322, 119.351),
}
STEMS = {
    Category.FOOD: ["餐饮", "面馆", "小厨", "酒家", "早茶馆", "饺子馆", "火锅店", "快餐店"],
    Category.LODGING: ["宾馆", "大酒店", "快捷酒店", "客栈"],
    Category.TRANSPORT: ["出租汽车公司", "汽车租赁", "客运服务站", "驾驶员培训学校"],
    Category.HEALTH: ["健身中心", "养生馆", "游泳馆", "推拿馆"],
    Category.CLINIC: ["口腔诊所", "中医诊所", "眼科门诊", "康复理疗中心"],
    Category.SHOPPING: ["超市", "书店", "眼镜店", "家电商场", "服装店"],
    Category.CULTURE: ["影城", "旅行社", "剧场", "农家乐"],
    Category.OTHER: ["洗衣店", "照相馆", "理发店", "家政服务部"],
}
# Food first: most of a city's discount merchants are restaurants.
CATEGORY_WEIGHTS = {
    Category.FOOD: 30,
    Category.LODGING: 10,
    Category.TRANSPORT: 8,
    Category.HEALTH: 12,
    Category.CLINIC: 10,
    Category.SHOPPING: 16,
    Category.CULTURE: 8,
    Category.OTHER: 6,
}
PREFIXES = [
    "恒达", "宏远", "鑫源", "华兴", "鼎盛", "瑞丰", "金桥", "天成", "永安", "嘉禾",
    "博远", "润泽", "同创", "中和", "泰和", "锦程", "立信", "东方", "长青", "福满",
]  # fmt: skip
STREETS = [
    "鹤鸣路", "川江路", "青岭大道", "临河街", "北湖路", "人民路",
    "长春路", "和平街", "建设路", "新华路", "文化路", "友谊路",
]  # fmt: skip
HOURS = ["每天 09:00–21:00", "每天 10:00–22:00", "周一至周五 08:00–17:30", "每天 07:00–20:00"]
RATES = ["0.50", "0.60", "0.70", "0.75", "0.80", "0.85", "0.85", "0.88", "0.90", "0.90"]
SUSPENDED = {17, 58, 121, 199, 260, 301}
EXPIRED = {33, 88, 150, 222, 288}
TERMINATED = {97, 244}
DEMO_KEY_SEED = "gonghui-demo-pos-key:SH00001"


def demo_key() -> tuple[str, str]:
    """SH00001's terminal key id and secret: derived from a fixed string, demo only."""
    digest = hashlib.sha256(DEMO_KEY_SEED.encode()).digest()
    key_id = rules.KEY_ID_PREFIX + digest[:8].hex()
    secret = (
        base64.urlsafe_b64encode(hashlib.sha256(b"secret:" + DEMO_KEY_SEED.encode()).digest())
        .decode()
        .rstrip("=")
    )
    return key_id, secret


def _uscc(rng: random.Random) -> str:
    body = (
        "92"  # 个体工商户 / small businesses
        + "4199"
        + f"{rng.randrange(0, 100):02d}"
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + stdnum_uscc.calc_check_digit(body)


def _coordinate(rng: random.Random, town: tuple[float, float]) -> tuple[Decimal, Decimal]:
    lat = town[0] + rng.uniform(-0.03, 0.03)
    lng = town[1] + rng.uniform(-0.03, 0.03)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def _facts(rng: random.Random, number: int, district: Union) -> dict[str, Any]:
    category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
    prefix = PREFIXES[rng.randrange(len(PREFIXES))]
    stem = rng.choice(STEMS[category])
    street = rng.choice(STREETS)
    town = district.name[:-3]
    lat, lng = _coordinate(rng, TOWNS.get(district.code, CENTRE))
    return {
        "name": f"鹤川{prefix}{stem}（{town}{street}店）",
        "uscc": _uscc(rng),
        "category": category,
        "district": district,
        "address": f"鹤川市{town}{street}{rng.randrange(1, 400)}号",
        "latitude": lat,
        "longitude": lng,
        "opening_hours": rng.choice(HOURS),
        "phone": f"139{rng.randrange(10**8):08d}",
        "contact_name": rng.choice("王李张刘陈杨黄赵吴周") + rng.choice(["经理", "店长", "老板"]),
    }


def _terms(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.2:
        off = rng.choice([300, 500, 1000, 2000])
        terms: dict[str, Any] = {
            "discount_kind": DiscountKind.FIXED,
            "discount_rate": None,
            "fixed_off_fen": off,
            "min_amount_fen": off * rng.choice([4, 5, 10]),
        }
    else:
        terms = {
            "discount_kind": DiscountKind.RATE,
            "discount_rate": Decimal(rng.choice(RATES)),
            "fixed_off_fen": None,
            "min_amount_fen": rng.choice([0, 0, 0, 1000, 2000]),
        }
    terms["per_txn_cap_fen"] = rng.choice([None, None, 2000, 5000, 10000])
    terms["per_member_day_cap_fen"] = rng.choice([None, None, None, 5000, 10000, 20000])
    return terms


def seed_merchants(rng: random.Random, *, members: int = 0) -> int:
    """Returns how many merchants it created (0 on a second run)."""
    own = random.Random(4242)  # noqa: S311 (fictitious demo data; independent of other seeders)
    created = 0
    with transaction.atomic():
        if not Merchant.objects.filter(code=rules.code_for(1)).exists():
            created = _build(own)
        _link_accounts()
    return created


def _build(rng: random.Random) -> int:
    districts = list(Union.objects.filter(kind="county", parent__code="HC").order_by("code"))
    if not districts:
        return 0
    today = timezone.localdate()
    now = timezone.now()
    rows: list[Merchant] = []
    terms_of: dict[str, dict[str, Any]] = {}
    for number in range(1, MERCHANTS + 1):
        facts = _facts(rng, number, districts[(number - 1) % len(districts)])
        code = rules.code_for(number)
        status = MerchantStatus.ACTIVE
        note = ""
        if number in SUSPENDED:
            status, note = MerchantStatus.SUSPENDED, "会员投诉未按协议给予优惠，核查期间暂停"
        elif number in EXPIRED:
            status, note = MerchantStatus.EXPIRED, "优惠协议已到期，待续签"
        elif number in TERMINATED:
            status, note = MerchantStatus.TERMINATED, "商户停业，终止合作"
        if number == 1:
            facts |= {"name": "鹤川恒达餐饮", "category": Category.FOOD}
        rows.append(
            Merchant(
                code=code,
                status=status,
                status_note=note,
                reviewed_at=now,
                description="",
                **facts,
            )
        )
        terms = _terms(rng)
        if number == 1:
            terms |= {
                "discount_kind": DiscountKind.RATE,
                "discount_rate": Decimal("0.85"),
                "fixed_off_fen": None,
                "min_amount_fen": 0,
                "per_txn_cap_fen": 5000,
                "per_member_day_cap_fen": 10000,
            }
        terms_of[code] = terms
    for i in range(1, APPLICATIONS + 1):
        facts = _facts(rng, MERCHANTS + i, districts[i % len(districts)])
        if i % 2:
            facts |= {"latitude": None, "longitude": None}
        rows.append(
            Merchant(
                application_no=f"{rules.APPLICATION_PREFIX}{20260000 + i:08d}",
                status=MerchantStatus.APPLIED,
                proposal=rng.choice(["全场8.5折", "会员9折，单笔最多优惠50元", "每单立减10元"]),
                **facts,
            )
        )
    Merchant.objects.bulk_create(rows, batch_size=500)
    by_code = dict(Merchant.objects.filter(code__in=terms_of).values_list("code", "pk"))
    contracts = []
    for code, terms in terms_of.items():
        number = rules.code_number(code)
        if number in EXPIRED:
            valid_to = today - timedelta(days=rng.randrange(1, 60))
            valid_from = rules.add_years(valid_to, -1) + timedelta(days=1)
        else:
            valid_from = today - timedelta(days=rng.randrange(0, 500))
            valid_to = rules.add_years(valid_from, rng.choice([1, 2, 3])) - timedelta(days=1)
            if valid_to < today:
                valid_to = rules.add_years(today, 1)
                valid_from = max(valid_from, valid_to - timedelta(days=3 * 365 - 2))
        contracts.append(
            Contract(
                merchant_id=by_code[code],
                contract_no=rules.contract_no_for(code, valid_from, 1),
                valid_from=valid_from,
                valid_to=valid_to,
                **terms,
            )
        )
    Contract.objects.bulk_create(contracts, batch_size=500)
    MerchantEvent.objects.bulk_create(
        [
            MerchantEvent(merchant_id=pk, kind="approved", changes={"demo": True})
            for pk in by_code.values()
        ],
        batch_size=500,
    )
    return len(rows)


def _link_accounts() -> None:
    first = Merchant.objects.filter(code=rules.code_for(1)).first()
    if first is None:
        return
    manager = User.objects.filter(username="merchant").first()
    if manager is not None:
        MerchantStaff.objects.get_or_create(
            user=manager, defaults={"merchant": first, "role": StaffRole.MANAGER}
        )
    cashier = User.objects.filter(username="cashier").first()
    if cashier is None:
        from gonghui.core.demo import DEMO_PASSWORD

        cashier = account_services.user_create(
            by=None,
            username="cashier",
            password=DEMO_PASSWORD,
            display_name="鹤川恒达餐饮收银员",
            kind=UserKind.MERCHANT,
        )
    MerchantStaff.objects.get_or_create(
        user=cashier, defaults={"merchant": first, "role": StaffRole.CASHIER}
    )
    key_id, secret = demo_key()
    TerminalKey.objects.get_or_create(
        key_id=key_id, defaults={"merchant": first, "secret": secret, "label": "演示收银台"}
    )
