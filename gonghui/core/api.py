"""What every router shares: authentication, the error shape and pagination."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer, SessionAuth

from gonghui.core import paging
from gonghui.core.errors import DomainError


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer gh_…`: a personal access token acting with its owner's scope."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from gonghui.accounts.models import PersonalAccessToken
        from gonghui.accounts.services import hash_token

        row = (
            PersonalAccessToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        now = timezone.now()
        if row is None or not row.user.is_active or (row.expires_at and row.expires_at < now):
            return None
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            PersonalAccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class StaffSessionAuth(SessionAuth):
    """The page session (CSRF-checked); the 2FA middleware has already run."""


AUTH = [TokenAuth(), StaffSessionAuth()]


class Paged(PaginationBase):
    """`?page=&page_size=` (at most 200), ordered by the selector, with the total count."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        return _page(queryset, pagination, count=queryset.count())


class CappedPaged(Paged):
    """Paged for a search over up to a million rows (core.paging): the count stops at
    COUNT_CAP, and `count_capped` says there are more."""

    class Output(Paged.Output):
        count_capped: bool = Field(description="more matches than `count`: narrow the search")

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        found = paging.matches(queryset)
        return _page(found.pages, pagination, count=found.count, count_capped=found.capped)


def _page(queryset: QuerySet[Any], pagination: Any, **counted: Any) -> dict[str, Any]:
    start = (pagination.page - 1) * pagination.page_size
    return {
        "items": list(queryset[start : start + pagination.page_size]),
        **counted,
        "page": pagination.page,
        "page_size": pagination.page_size,
    }


class MaskedPersonOut(Schema):
    """A person's ID number and phone, masked, and the union they belong to (by code and name)."""

    id_number: str = Field(description="masked: 410***********123X")
    phone: str = Field(description="masked: 138****5678")
    union: str
    union_name: str

    @staticmethod
    def resolve_id_number(obj: Any) -> str:
        from gonghui.core.masking import mask_id_number

        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        from gonghui.core.masking import mask_phone

        return mask_phone(obj.phone)

    @staticmethod
    def resolve_union(obj: Any) -> str:
        return str(obj.union.code)

    @staticmethod
    def resolve_union_name(obj: Any) -> str:
        return str(obj.union.name)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> Any:
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.details), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> Any:
        return api.create_response(
            request,
            error_body("request.invalid", _("请求内容不符合要求"), {"errors": exc.errors}),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> Any:
        return api.create_response(
            request, error_body("auth.required", _("请先登录或提供有效的访问令牌")), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> Any:
        code = {404: "not_found", 403: "auth.forbidden", 405: "request.method"}.get(
            exc.status_code, "request.error"
        )
        return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)
