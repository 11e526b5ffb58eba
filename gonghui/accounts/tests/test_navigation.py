import re

import pytest

pytestmark = pytest.mark.django_db


def current_sections(page: str) -> list[str]:
    return re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', page)


@pytest.mark.parametrize(
    ("url", "section"),
    [("/w/", "工作台"), ("/w/members/", "会员"), ("/w/members/transfers/", "转会")],
)
def test_exactly_the_current_section_is_marked(people, login_as, url, section):
    page = login_as(people["carol"]).get(url).content.decode()

    assert current_sections(page) == [section]


def test_the_menu_follows_the_roles(people, login_as):
    officer = login_as(people["alice"]).get("/w/").content.decode()
    auditor = login_as(people["auditor"]).get("/w/").content.decode()

    assert "审计日志" not in officer and "会员" in officer
    assert "审计日志" in auditor and ">会员<" not in auditor
