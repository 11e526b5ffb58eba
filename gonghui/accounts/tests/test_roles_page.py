import pytest

pytestmark = pytest.mark.django_db


def test_security_admin_sees_roles_and_their_permissions(people, login_as):
    response = login_as(people["secadmin"]).get("/w/roles/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "基层工会干部" in page
    assert "导入会员名册" in page
    assert "保障部" in page


def test_a_grassroots_officer_cannot_open_the_roles_page(people, login_as):
    response = login_as(people["alice"]).get("/w/roles/")

    assert response.status_code == 403
