"""/healthz for the load balancer, and the OpenAPI document clients generate code from."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_healthz_is_200_ok_after_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from gonghui.core import views

    def broken_cursor():
        raise OSError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"


def resolve(document: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_the_openapi_document_is_valid_and_lists_the_unions(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    assert {"get", "post"} <= set(document["paths"]["/api/v1/unions"])
    assert "patch" in document["paths"]["/api/v1/unions/{code}"]
    assert "/api/v1/jobs/{job_id}" in document["paths"]
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in item.items():
            assert method in HTTP_METHODS, (path, method)
            assert operation["responses"], (path, method)
            operation_ids.append(operation["operationId"])
            placeholders = set(re.findall(r"{(\w+)}", path))
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert placeholders == declared, (path, method)
    assert len(operation_ids) == len(set(operation_ids))
    for ref in refs(document):
        assert isinstance(resolve(document, ref), dict), ref
