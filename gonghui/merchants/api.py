"""/api/v1/merchants: the public directory (no login, only what a shop window shows) and the
staff list, detail and review actions (token or session, scoped like the pages)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Paged
from gonghui.merchants import rules, selectors, services
from gonghui.merchants.models import Category, DiscountKind, Merchant, MerchantStatus

router = Router(tags=["merchants"])


# -- the public directory -------------------------------------------------------------------


class DirectoryOut(Schema):
    code: str
    name: str
    category: str
    category_label: str
    district: str = Field(description="code of the county/district union")
    district_name: str
    address: str
    latitude: float
    longitude: float
    opening_hours: str
    phone: str
    rule: str = Field(description="the discount in force today, in Chinese")
    distance_m: int | None = Field(description="from lat/lng when given, great-circle metres")

    @staticmethod
    def resolve_category_label(obj: Any) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_district(obj: Any) -> str:
        return str(obj.district.code)

    @staticmethod
    def resolve_district_name(obj: Any) -> str:
        return str(obj.district.name)

    @staticmethod
    def resolve_rule(obj: Any) -> str:
        return str(getattr(obj, "rule_text", ""))

    @staticmethod
    def resolve_distance_m(obj: Any) -> int | None:
        metres = getattr(obj, "distance_m", None)
        return None if metres is None else round(metres)


class DirectoryPage(Schema):
    items: list[DirectoryOut]
    count: int
    page: int
    page_size: int


class DirectoryDetailOut(DirectoryOut):
    description: str
    valid_to: date | None = Field(description="the last day of the contract in force")
    photos: list[str] = Field(description="photo URLs")

    @staticmethod
    def resolve_valid_to(obj: Any) -> date | None:
        contract = selectors.current_contract(obj)
        return contract.valid_to if contract else None

    @staticmethod
    def resolve_photos(obj: Any) -> list[str]:
        return [
            reverse("directory:photo", args=[obj.code, photo.file_name])
            for photo in obj.photos.all()
        ]


@router.get("/directory", response=DirectoryPage, auth=None)
def directory(
    request: HttpRequest,
    category: Category | None = None,
    district: str = "",
    q: str = Query("", max_length=40),
    lat: float | None = Query(None, ge=-90, le=90),
    lng: float | None = Query(None, ge=-180, le=180),
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
) -> Any:
    """Merchants giving members a discount today; nearest first when lat and lng are given."""
    near = selectors.parse_point(lat, lng) if lat is not None and lng is not None else None
    merchants = selectors.directory(category=category or "", district=district, near=near, q=q)
    paginator = Paginator(merchants, page_size)
    start = (page - 1) * page_size
    rows = selectors.page_rows(merchants[start : start + page_size], near)
    return {"items": rows, "count": paginator.count, "page": page, "page_size": page_size}


@router.get("/directory/{code}", response=DirectoryDetailOut, auth=None)
def directory_detail(
    request: HttpRequest,
    code: str,
    lat: float | None = Query(None, ge=-90, le=90),
    lng: float | None = Query(None, ge=-180, le=180),
) -> Any:
    merchant = selectors.directory_get(code=code)
    near = selectors.parse_point(lat, lng) if lat is not None and lng is not None else None
    return selectors.page_rows([merchant], near)[0]


# -- staff ----------------------------------------------------------------------------------


class MerchantOut(Schema):
    id: str = Field(description="the code (SH + 5 digits), or the application number before it")
    code: str | None
    application_no: str | None
    name: str
    uscc: str
    category: str
    district: str
    district_name: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    opening_hours: str
    phone: str
    contact_name: str
    status: str
    status_note: str
    proposal: str
    applied_at: datetime
    reviewed_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.code or obj.application_no)

    @staticmethod
    def resolve_district(obj: Any) -> str:
        return str(obj.district.code)

    @staticmethod
    def resolve_district_name(obj: Any) -> str:
        return str(obj.district.name)


class ContractOut(Schema):
    contract_no: str
    valid_from: date
    valid_to: date
    discount_kind: str
    discount_rate: Decimal | None
    fixed_off_fen: int | None
    min_amount_fen: int
    per_txn_cap_fen: int | None
    per_member_day_cap_fen: int | None
    rule: str
    signed_at: datetime

    @staticmethod
    def resolve_rule(obj: Any) -> str:
        return rules.rule_text(obj)


class MerchantDetailOut(MerchantOut):
    contracts: list[ContractOut]

    @staticmethod
    def resolve_contracts(obj: Any) -> list[Any]:
        return list(selectors.merchant_contracts(obj))


class ContractIn(Schema):
    discount_kind: DiscountKind
    discount_rate: Decimal | None = Field(None, description="0.50–0.90, two decimals")
    fixed_off_fen: int | None = Field(None, ge=1)
    min_amount_fen: int = Field(0, ge=0)
    per_txn_cap_fen: int | None = Field(None, ge=1)
    per_member_day_cap_fen: int | None = Field(None, ge=1)
    valid_from: date
    valid_to: date

    def terms(self) -> rules.ContractTerms:
        return rules.ContractTerms(
            discount_kind=self.discount_kind,
            discount_rate=self.discount_rate,
            fixed_off_fen=self.fixed_off_fen,
            min_amount_fen=self.min_amount_fen,
            per_txn_cap_fen=self.per_txn_cap_fen,
            per_member_day_cap_fen=self.per_member_day_cap_fen,
        )


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


@router.get("", response=list[MerchantOut])
@paginate(Paged)
def list_merchants(
    request: HttpRequest,
    q: str = Query("", max_length=40),
    status: MerchantStatus | None = None,
    category: Category | None = None,
    district: str = "",
) -> Any:
    """Merchants (and applications) in the caller's scope, by code."""
    return selectors.merchant_search(
        actor=request.user, q=q, status=status or "", category=category or "", district=district
    )


@router.get("/{key}", response=MerchantDetailOut)
def get_merchant(request: HttpRequest, key: str) -> Any:
    """By code (SH00001) or, for an application, by its number (SQ…)."""
    return selectors.merchant_get(actor=request.user, key=key)


def _changeable(request: HttpRequest, key: str) -> Merchant:
    return selectors.merchant_get(actor=request.user, key=key, permission="cards.change")


@router.post("/{key}/approve", response=MerchantDetailOut)
def approve(request: HttpRequest, key: str, payload: ContractIn) -> Any:
    merchant, _contract = services.merchant_approve(
        by=request.user,
        merchant=_changeable(request, key),
        terms=payload.terms(),
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return merchant


@router.post("/{key}/reject", response=MerchantOut)
def reject(request: HttpRequest, key: str, payload: ReasonIn) -> Any:
    return services.merchant_reject(
        by=request.user, merchant=_changeable(request, key), reason=payload.reason
    )


@router.post("/{key}/suspend", response=MerchantOut)
def suspend(request: HttpRequest, key: str, payload: ReasonIn) -> Any:
    return services.merchant_suspend(
        by=request.user, merchant=_changeable(request, key), reason=payload.reason
    )


@router.post("/{key}/resume", response=MerchantOut)
def resume(request: HttpRequest, key: str, payload: ReasonIn) -> Any:
    return services.merchant_resume(
        by=request.user, merchant=_changeable(request, key), reason=payload.reason
    )


@router.post("/{key}/terminate", response=MerchantOut)
def terminate(request: HttpRequest, key: str, payload: ReasonIn) -> Any:
    return services.merchant_terminate(
        by=request.user, merchant=_changeable(request, key), reason=payload.reason
    )


@router.post("/{key}/contracts", response={201: ContractOut})
def sign_contract(request: HttpRequest, key: str, payload: ContractIn) -> Any:
    """A renewal or a changed rule: a new contract (signed ones never change)."""
    contract = services.contract_sign(
        by=request.user,
        merchant=_changeable(request, key),
        terms=payload.terms(),
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return Status(201, contract)
