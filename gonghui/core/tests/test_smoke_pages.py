import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_page_renders_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/w/", "/w/orgs/", "/w/orgs/CITY/", "/w/orgs/CA/children/", "/w/jobs/", "/w/profile/"]
)
def test_county_staff_pages_render(people, login_as, url):
    response = login_as(people["carol"]).get(url)
    assert response.status_code in (200, 404)


def test_openapi_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "gonghui API"
