"""Personal access tokens: the secret is shown once and only its SHA-256 is kept; a token acts
with its owner's scope; a revoked or expired token is refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts import services
from gonghui.accounts.models import PersonalAccessToken
from gonghui.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def create_token(client, name="ci", **extra):
    return client.post("/api/v1/tokens", {"name": name, **extra}, content_type="application/json")


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def alice_secret(people, login_as) -> str:
    return create_token(login_as(people["alice"])).json()["secret"]


def test_creating_a_token_returns_the_secret_once(people, login_as):
    client = login_as(people["alice"])

    response = create_token(client, name="报表脚本")

    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("gh_")
    assert body["name"] == "报表脚本"
    listed = client.get("/api/v1/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert body["secret"] not in client.get("/api/v1/tokens").content.decode()


def test_only_the_sha256_of_the_secret_is_stored(people, login_as):
    secret = create_token(login_as(people["alice"])).json()["secret"]

    row = PersonalAccessToken.objects.get(user=people["alice"])

    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(v) for v in PersonalAccessToken.objects.values().get().values())
    assert secret not in stored
    assert secret[len(row.prefix) :] not in stored


def test_token_creation_is_audited_without_the_secret(people, login_as):
    secret = create_token(login_as(people["alice"])).json()["secret"]

    entry = AuditEntry.objects.get(action="accounts.token.created")
    assert entry.actor_id == people["alice"].pk
    assert secret not in f"{entry.object_repr} {entry.changes}"


def test_bearer_token_authenticates_me(alice_secret):
    response = bearer(alice_secret).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_bearer_token_sees_only_its_owners_unions(alice_secret):
    client = bearer(alice_secret)

    listed = client.get("/api/v1/unions").json()

    assert [u["code"] for u in listed["items"]] == ["UA"]
    assert client.get("/api/v1/unions/UA").status_code == 200


def test_bearer_token_cannot_read_another_union(alice_secret):
    response = bearer(alice_secret).get("/api/v1/unions/UB")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_revoked_token_is_refused(people, login_as, alice_secret):
    client = login_as(people["alice"])
    token_id = client.get("/api/v1/tokens").json()[0]["id"]

    assert client.delete(f"/api/v1/tokens/{token_id}").status_code == 204

    response = bearer(alice_secret).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"
    assert AuditEntry.objects.filter(action="accounts.token.revoked").exists()


def test_expired_token_is_refused(people):
    token, secret = services.token_create(
        by=people["alice"], name="old", expires_at=timezone.now() + timedelta(hours=1)
    )
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = bearer(secret).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_token_before_its_expiry_works(people):
    _token, secret = services.token_create(
        by=people["alice"], name="soon", expires_at=timezone.now() + timedelta(hours=1)
    )

    assert bearer(secret).get("/api/v1/me").status_code == 200


def test_unknown_token_is_refused(db):
    response = bearer("gh_not-a-real-token").get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_token_of_a_deactivated_account_is_refused(people, alice_secret):
    services.user_set_active(by=people["sysadmin"], user=people["alice"], active=False)

    assert bearer(alice_secret).get("/api/v1/me").status_code == 401


def test_nobody_can_revoke_another_users_token(people, login_as, alice_secret):
    token_id = login_as(people["alice"]).get("/api/v1/tokens").json()[0]["id"]

    response = login_as(people["bob"]).delete(f"/api/v1/tokens/{token_id}")

    assert response.status_code == 404
    assert bearer(alice_secret).get("/api/v1/me").status_code == 200


def test_a_token_cannot_mint_another_token(alice_secret):
    """Otherwise an expiring token could make itself a token that never expires."""
    response = create_token(bearer(alice_secret), name="forever")

    assert response.status_code == 401
    assert PersonalAccessToken.objects.count() == 1


def test_a_token_cannot_be_created_with_an_expiry_in_the_past(people, login_as):
    response = create_token(
        login_as(people["alice"]), expires_at=(timezone.now() - timedelta(days=1)).isoformat()
    )

    assert response.status_code == 400
    assert response.json()["code"] == "account.token_expiry_past"
    assert not PersonalAccessToken.objects.exists()


def test_anonymous_api_calls_get_401_auth_required(db):
    response = Client().get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"
