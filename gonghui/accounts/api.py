from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gonghui.accounts import selectors, services
from gonghui.accounts.scoping import grants_of
from gonghui.core.api import StaffSessionAuth
from gonghui.core.http import AuthedRequest

router = Router(tags=["accounts"])


class GrantOut(Schema):
    union_path: str
    role: str
    permissions: list[str]


class MeOut(Schema):
    username: str
    display_name: str
    kind: str
    grants: list[GrantOut]


class TokenOut(Schema):
    id: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.public_id)


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    expires_at: datetime | None = None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="shown once; store it now")


@router.get("/me", response=MeOut)
def me(request: AuthedRequest) -> Any:
    user = request.user
    grants = [
        {"union_path": g.union_path, "role": g.role_code, "permissions": sorted(g.permissions)}
        for g in grants_of(user)
    ]
    return {
        "username": user.username,
        "display_name": user.display_name,
        "kind": user.kind,
        "grants": grants,
    }


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> Any:
    return selectors.token_list(actor=request.user)


# Session only: a token that could mint tokens would outlive its own expiry and revocation.
@router.post("/tokens", response={201: TokenCreatedOut}, auth=StaffSessionAuth())
def create_token(request: AuthedRequest, payload: TokenIn) -> Any:
    token, secret = services.token_create(
        by=request.user, name=payload.name, expires_at=payload.expires_at
    )
    token.secret = secret
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: AuthedRequest, token_id: str) -> Any:
    token = selectors.token_get(actor=request.user, public_id=token_id)
    services.token_revoke(by=request.user, token=token)
    return Status(204, None)
