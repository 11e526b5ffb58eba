"""The pages: officer's 我的投稿, the inbox, the piece page with its actions, publications,
points tables, quotas, rankings (charts and export), officers and errors; bounded queries and
B seeing nothing of A."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.infowork.models import PointsTable, Publication, Submission
from gonghui.infowork.tests.conftest import PNG, adopted, published, submit

pytestmark = pytest.mark.django_db


def test_officer_submits_on_the_page_and_tracks_it(login_as, officer_a) -> None:
    client = login_as(officer_a.user)
    assert client.get(reverse("infowork:home")).url == reverse("infowork:mine")
    page = client.get(reverse("infowork:submit"))
    assert page.status_code == 200
    photo = _file("p.png", PNG)
    response = client.post(
        reverse("infowork:submit"),
        {
            "officer": str(officer_a.public_id),
            "title": "甲厂举办技能比武",
            "category": "news",
            "body": "正文",
            "photos": [photo],
        },
    )
    piece = Submission.objects.get()
    assert response.url == reverse("infowork:submission", args=[piece.public_id])
    assert piece.photos.count() == 1
    mine = client.get(reverse("infowork:mine"))
    assert "甲厂举办技能比武" in mine.content.decode()
    assert mine.context["page"][0].points is None
    photo_page = client.get(
        reverse("infowork:photo", args=[piece.public_id, piece.photos.get().public_id])
    )
    assert photo_page.status_code == 200 and photo_page["Content-Type"] == "image/png"
    bad = client.post(
        reverse("infowork:submit"),
        {
            "officer": str(officer_a.public_id),
            "title": "t",
            "category": "news",
            "body": "b",
            "photos": [_file("x.png", b"GIF89a")],
        },
    )
    assert "JPEG 或 PNG" in bad.content.decode()


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_editor_adopts_records_and_verifies_on_the_pages(login_as, officer_a, xena, table) -> None:
    piece = submit(officer_a)
    client = login_as(xena)
    inbox = client.get(reverse("infowork:submissions"))
    assert piece.title in inbox.content.decode()
    detail = client.get(reverse("infowork:submission", args=[piece.public_id]))
    assert "采用" in detail.content.decode()
    client.post(reverse("infowork:submission_move", args=[piece.public_id]), {"to": "adopted"})
    piece.refresh_from_db()
    assert piece.status == "adopted"
    day = timezone.localdate() - timedelta(days=1)
    client.post(
        reverse("infowork:publication_new", args=[piece.public_id]),
        {
            "level": "provincial",
            "outlet_kind": "newspaper",
            "outlet_name": "河南工人日报",
            "published_on": day.isoformat(),
            "placement": "front",
            "link": "https://x.cn/1",
        },
    )
    publication = Publication.objects.get()
    assert publication.status == "claimed"
    client.post(
        reverse("infowork:publication_verify", args=[publication.public_id]), {"approve": "1"}
    )
    publication.refresh_from_db()
    assert publication.status == "verified" and publication.points == 15
    client.post(
        reverse("infowork:instruction_new", args=[piece.public_id]),
        {"level": "city", "leader": "市委书记", "instructed_on": day.isoformat()},
    )
    assert piece.instructions.get().points == 10
    rankings = client.get(reverse("infowork:rankings") + f"?year={day.year}")
    body = rankings.content.decode()
    assert "甲厂工会" in body and "25.0" in body and 'data-chart="chart-top"' in body


def test_list_pages_keep_their_queries_bounded(
    login_as, officer_a, officer_b, xena, table, django_assert_max_num_queries
) -> None:
    for i in range(6):
        published(adopted(officer_a if i % 2 else officer_b, xena, f"稿件{i}"), xena)
    client = login_as(xena)
    year = (timezone.localdate() - timedelta(days=1)).year
    for name in (
        "submissions",
        "publications",
        "rankings",
        "quotas",
        "points",
        "officers",
        "corrections",
    ):
        with django_assert_max_num_queries(25):
            response = client.get(reverse(f"infowork:{name}") + f"?year={year}&status=")
        assert response.status_code == 200, name
    with django_assert_max_num_queries(25):
        assert (
            client.get(reverse("infowork:rankings") + f"?year={year}&kind=officer").status_code
            == 200
        )


def test_exports(login_as, officer_a, xena, table) -> None:
    published(adopted(officer_a, xena), xena)
    client = login_as(xena)
    for name in ("rankings_export", "publications_export", "quotas_export", "submissions_export"):
        response = client.get(reverse(f"infowork:{name}"))
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith('.xlsx"')
        assert b"".join(response.streaming_content)[:2] == b"PK"


def test_new_points_table_version_on_the_page(login_as, xena, table) -> None:
    client = login_as(xena)
    page = client.get(reverse("infowork:points_new"))
    form = page.context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    year = timezone.localdate().year
    data |= {
        "effective_from": f"{year + 1}-01-01",
        "p_national_newspaper_front": "40",
        "note": "提高全国头版",
    }
    response = client.post(reverse("infowork:points_new"), data)
    assert response.status_code == 302
    latest = PointsTable.objects.get(number=2)
    assert latest.publication_points["national"]["newspaper"]["front"] == "40.0"
    assert latest.publication_points["city"]["website"]["general"] == "2.0"


def test_quota_and_correction_pages(login_as, xena, table, tree) -> None:
    client = login_as(xena)
    year = timezone.localdate().year
    client.post(
        reverse("infowork:quotas") + f"?year={year}", {"union": "UA", "pieces": "2", "points": "10"}
    )
    page = client.get(reverse("infowork:quotas") + f"?year={year}")
    assert "甲厂工会" in page.content.decode() and "扣" in page.content.decode()
    client.post(
        reverse("infowork:corrections"),
        {"union": "UA", "occurred_on": timezone.localdate().isoformat(), "description": "人数有误"},
    )
    assert "人数有误" in client.get(reverse("infowork:corrections")).content.decode()


def test_b_sees_nothing_of_a_and_officers_cannot_manage(
    login_as, officer_a, officer_b, xena, table, people
) -> None:
    piece = adopted(officer_a, xena)
    publication = published(piece, xena)
    bob = login_as(people["bob"])
    assert bob.get(reverse("infowork:submission", args=[piece.public_id])).status_code == 404
    assert bob.get(reverse("infowork:scan", args=[publication.public_id])).status_code == 404
    assert (
        bob.post(
            reverse("infowork:submission_move", args=[piece.public_id]), {"to": "withdrawn"}
        ).status_code
        == 404
    )
    assert piece.title not in bob.get(reverse("infowork:mine")).content.decode()
    assert bob.get(reverse("infowork:rankings")).status_code == 403
    assert bob.get(reverse("infowork:points_new")).status_code == 403
    carol = login_as(people["carol"])
    assert carol.get(reverse("infowork:submission", args=[piece.public_id])).status_code == 200
    assert carol.get(reverse("infowork:points_new")).status_code == 403
    member = login_as(people["member"])
    assert member.get(reverse("infowork:mine")).status_code == 403


def test_returned_piece_is_edited_on_the_page_and_resubmitted(login_as, officer_a, xena) -> None:
    from gonghui.infowork import services

    piece = submit(officer_a)
    services.submission_transition(by=xena, submission=piece, to="returned", reason="补充数据")
    alice = login_as(officer_a.user)
    page = alice.get(reverse("infowork:submission", args=[piece.public_id]))
    assert "补充数据" in page.content.decode() and "重新报送" in page.content.decode()
    alice.post(
        reverse("infowork:submission_edit", args=[piece.public_id]),
        {"title": "改后的标题", "category": "practice", "body": "改后的正文"},
    )
    alice.post(reverse("infowork:submission_move", args=[piece.public_id]), {"to": "submitted"})
    piece.refresh_from_db()
    assert (piece.title, piece.status) == ("改后的标题", "submitted")
    assert alice.get(reverse("infowork:submission_edit", args=[piece.public_id])).status_code == 403


def test_detail_page_queries_are_bounded_and_editor_lands_on_rankings(
    login_as, officer_a, xena, table, django_assert_max_num_queries
) -> None:
    piece = adopted(officer_a, xena)
    for outlet in ("甲报", "乙报", "丙报"):
        published(piece, xena, outlet=outlet)
    client = login_as(xena)
    assert client.get(reverse("infowork:home")).url == reverse("infowork:rankings")
    with django_assert_max_num_queries(25):
        page = client.get(reverse("infowork:submission", args=[piece.public_id]))
    assert page.content.decode().count("已核实") >= 3


def test_officers_page_appoints_and_deactivates(login_as, xena, people, tree) -> None:
    from gonghui.infowork.models import InfoOfficer

    client = login_as(xena)
    client.post(reverse("infowork:officers"), {"username": "bob", "union": "UB"})
    officer = InfoOfficer.objects.get(user=people["bob"])
    client.post(reverse("infowork:officer_toggle", args=[officer.public_id]))
    officer.refresh_from_db()
    assert not officer.active
    listed = client.get(reverse("infowork:officers")).content.decode()
    assert "乙厂工会" in listed and "已停用" in listed
