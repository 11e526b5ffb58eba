"""The workflow, the verification gate, points by table version, bonuses and penalties,
quotas, rankings and scoping, through the services and selectors."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.conftest import make_user
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.indicators import Scope
from gonghui.core.indicators import value as indicator_value
from gonghui.infowork import rules, selectors, services
from gonghui.infowork.models import SubmissionStatus
from gonghui.infowork.tests.conftest import PDF, PNG, adopted, published, submit

pytestmark = pytest.mark.django_db
D = Decimal


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def test_officer_submits_editor_adopts(officer_a, xena) -> None:
    submission = submit(officer_a, photos=[services.Upload("a.png", PNG)])
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.union == officer_a.union and submission.photos.count() == 1
    done = services.submission_transition(by=xena, submission=submission, to="adopted")
    assert done.status == "adopted" and done.adopted_at is not None
    assert [e.to_status for e in selectors.submission_history(done)] == ["submitted", "adopted"]


def test_returned_piece_is_edited_and_resubmitted_by_its_officer(officer_a, xena) -> None:
    submission = submit(officer_a)
    with pytest.raises(DomainError):
        services.submission_transition(by=xena, submission=submission, to="returned")
    returned = services.submission_transition(
        by=xena, submission=submission, to="returned", reason="请补充数据"
    )
    assert returned.reason == "请补充数据"
    services.submission_edit(
        by=officer_a.user, submission=returned, title="新标题", body="新正文", category="practice"
    )
    again = services.submission_transition(by=officer_a.user, submission=returned, to="submitted")
    assert again.status == "submitted" and again.title == "新标题"


def test_illegal_moves_and_wrong_people_are_refused(officer_a, officer_b, xena, people) -> None:
    submission = submit(officer_a)
    with pytest.raises(Forbidden):
        services.submission_transition(by=officer_a.user, submission=submission, to="adopted")
    with pytest.raises(Forbidden):
        services.submission_transition(by=people["carol"], submission=submission, to="adopted")
    with pytest.raises(Forbidden):
        services.submission_transition(by=officer_b.user, submission=submission, to="withdrawn")
    services.submission_transition(by=xena, submission=submission, to="adopted")
    with pytest.raises(DomainError) as caught:
        services.submission_transition(by=officer_a.user, submission=submission, to="withdrawn")
    assert caught.value.code == "infowork.transition_invalid"
    with pytest.raises(Forbidden):
        services.submission_edit(
            by=xena, submission=submission, title="x", body="y", category="news"
        )


def test_only_the_officer_himself_submits(officer_a, people) -> None:
    with pytest.raises(Forbidden):
        services.submission_submit(
            by=people["bob"], officer=officer_a, title="t", body="b", category="news"
        )
    services.officer_set_active(by=make_editor(), officer=officer_a, active=False)
    with pytest.raises(Forbidden):
        submit(officer_a)


def make_editor():
    from gonghui.accounts.models import User

    return User.objects.get(username="xena")


def test_photos_are_checked_by_content_and_size(officer_a) -> None:
    with pytest.raises(DomainError) as caught:
        submit(officer_a, photos=[services.Upload("a.jpg", PDF)])
    assert caught.value.code == "infowork.photo_type"
    big = PNG + b"\0" * rules.PHOTO_MAX_BYTES
    with pytest.raises(DomainError) as caught:
        submit(officer_a, photos=[services.Upload("big.png", big)])
    assert caught.value.code == "infowork.photo_too_large"
    with pytest.raises(DomainError):
        submit(officer_a, photos=[services.Upload(f"{i}.png", PNG) for i in range(10)])


# -- publications ----------------------------------------------------------------------------


def test_unverified_publication_scores_nothing(officer_a, xena, table) -> None:
    piece = adopted(officer_a, xena)
    claim = published(piece, officer_a.user, verify=False)
    year = claim.published_on.year
    assert claim.status == "claimed" and claim.points == 0
    [(_rank, before)] = selectors.standings(actor=xena, year=year)
    assert (before.points, before.total, before.pieces) == (0, 0, 1)
    assert selectors.my_submissions(user=officer_a.user).get().points is None
    with pytest.raises(Forbidden):
        services.publication_verify(by=officer_a.user, publication=claim, approve=True)
    verified = services.publication_verify(by=xena, publication=claim, approve=True)
    assert verified.points == D("8") and verified.points_table == table
    assert selectors.my_submissions(user=officer_a.user).get().points == D("8")
    [(rank, standing)] = selectors.standings(actor=xena, year=year)
    assert rank == 1 and standing.key == "UA" and standing.total == D("8")
    with pytest.raises(DomainError):
        services.publication_verify(by=xena, publication=verified, approve=False, reason="x")


def test_refused_publication_says_why_and_scores_nothing(officer_a, xena, table) -> None:
    claim = published(adopted(officer_a, xena), xena, verify=False)
    with pytest.raises(DomainError):
        services.publication_verify(by=xena, publication=claim, approve=False)
    refused = services.publication_verify(
        by=xena, publication=claim, approve=False, reason="版面不符"
    )
    assert refused.status == "rejected" and refused.points == 0
    [(_rank, standing)] = selectors.standings(actor=xena, year=claim.published_on.year)
    assert standing.total == 0


def test_publication_needs_an_adopted_piece_and_evidence(officer_a, xena, table) -> None:
    data = services.PublicationData("city", "website", "鹤川网", yesterday(), "general")
    with pytest.raises(DomainError) as caught:
        services.publication_record(by=xena, submission=submit(officer_a), data=data)
    assert caught.value.code == "infowork.not_adopted"
    piece = adopted(officer_a, xena)
    with pytest.raises(DomainError) as caught:
        services.publication_record(by=xena, submission=piece, data=data)
    assert caught.value.code == "infowork.evidence_required"
    with pytest.raises(DomainError):
        services.publication_record(
            by=xena, submission=piece, data=data, scan=services.Upload("s.gif", b"GIF89a....")
        )
    future = services.PublicationData(
        "city",
        "website",
        "鹤川网",
        timezone.localdate() + timedelta(days=1),
        "general",
        "https://x.cn",
    )
    with pytest.raises(DomainError):
        services.publication_record(by=xena, submission=piece, data=future)
    ok = services.publication_record(
        by=xena, submission=piece, data=data, scan=services.Upload("s.pdf", PDF)
    )
    assert ok.scan_type == "application/pdf" and services.scan_bytes(ok) == PDF


def test_points_follow_the_version_in_force_on_the_publication_date(officer_a, xena, table) -> None:
    today = timezone.localdate()
    early, late = today - timedelta(days=20), today - timedelta(days=5)
    first = published(
        adopted(officer_a, xena, "一"),
        xena,
        on=early,
        level="national",
        kind="magazine",
        placement="front",
    )
    second = published(
        adopted(officer_a, xena, "二"),
        xena,
        on=late,
        level="national",
        kind="magazine",
        placement="front",
    )
    assert first.points == second.points == D("20")
    doubled = {
        lv: {k: {p: str(D(v) * 2) for p, v in row.items()} for k, row in kinds.items()}
        for lv, kinds in rules.DEFAULT_PUBLICATION_POINTS.items()
    }
    v2 = services.points_table_create(
        by=xena,
        effective_from=today - timedelta(days=10),
        publication_points=doubled,
        instruction_points=rules.DEFAULT_INSTRUCTION_POINTS,
        shortfall_penalty="2",
        error_penalty="5",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.points, first.points_table) == (D("20"), table)
    assert (second.points, second.points_table) == (D("40"), v2)
    third = published(
        adopted(officer_a, xena, "三"),
        xena,
        on=today - timedelta(days=12),
        level="city",
        kind="website",
        placement="general",
    )
    assert third.points == D("2") and third.points_table == table
    with pytest.raises(DomainError) as caught:
        services.points_table_create(
            by=xena,
            effective_from=v2.effective_from,
            publication_points=doubled,
            instruction_points=rules.DEFAULT_INSTRUCTION_POINTS,
            shortfall_penalty="2",
            error_penalty="5",
        )
    assert caught.value.code == "infowork.table_date_taken"


def test_only_the_federation_sets_the_table(people, table) -> None:
    with pytest.raises(Forbidden):
        services.points_table_create(
            by=people["carol"],
            effective_from=date(2030, 1, 1),
            publication_points=rules.DEFAULT_PUBLICATION_POINTS,
            instruction_points=rules.DEFAULT_INSTRUCTION_POINTS,
            shortfall_penalty="1",
            error_penalty="1",
        )


def test_no_table_no_verification(officer_a, xena) -> None:
    claim = published(adopted(officer_a, xena), xena, verify=False)
    with pytest.raises(DomainError) as caught:
        services.publication_verify(by=xena, publication=claim, approve=True)
    assert caught.value.code == "infowork.no_points_table"


# -- bonuses, penalties, quotas, rankings -------------------------------------------------


def test_instruction_adds_and_correction_deducts(officer_a, xena, table, tree) -> None:
    piece = adopted(officer_a, xena)
    published(piece, xena, level="city", kind="newspaper", placement="front")  # 8
    services.instruction_record(
        by=xena,
        submission=piece,
        level="provincial",
        leader="省总副主席",
        instructed_on=yesterday(),
    )  # +20
    services.correction_record(
        by=xena, union=tree["a"], department=None, occurred_on=yesterday(), description="数字有误"
    )  # -5
    [(_rank, standing)] = selectors.standings(actor=xena, year=yesterday().year)
    assert (standing.points, standing.bonus, standing.penalty) == (D(8), D(20), D(5))
    assert standing.total == D(23) and standing.pieces == 1


def test_rankings_with_ties_and_kinds(officer_a, officer_b, xena, table, tree, people) -> None:
    day = yesterday()
    published(
        adopted(officer_a, xena, "甲"), xena, level="city", kind="newspaper", placement="front"
    )
    published(
        adopted(officer_b, xena, "乙"), xena, level="city", kind="newspaper", placement="front"
    )
    department_officer = services.officer_appoint(
        by=xena,
        user=make_user("dee", assignments=[(tree["city"], "info_officer", None)]),
        union=tree["city"],
        department=selectors.department_by_code("security"),
    )
    published(
        adopted(department_officer, xena, "部门"),
        xena,
        level="national",
        kind="newspaper",
        placement="front",
    )
    unions = selectors.standings(actor=xena, year=day.year, kind="union")
    assert sorted((r, s.key) for r, s in unions) == [(1, "UA"), (1, "UB")]
    departments = selectors.standings(actor=xena, year=day.year, kind="department")
    assert [(r, s.key, s.total) for r, s in departments] == [(1, "security", D(30))]
    officers = selectors.standings(actor=xena, year=day.year, kind="officer")
    assert [r for r, _s in officers] == [1, 2, 2]
    month = selectors.standings(actor=xena, year=day.year, month=day.month)
    assert len(month) == 2
    other_month = 1 if day.month != 1 else 2
    assert selectors.standings(actor=xena, year=day.year, month=other_month) == []
    # county A staff see only their own subtree
    assert [s.key for _r, s in selectors.standings(actor=people["carol"], year=day.year)] == ["UA"]


def test_quota_shortfall_penalty_and_rate(officer_a, officer_b, xena, table, tree) -> None:
    year = yesterday().year
    published(
        adopted(officer_a, xena, "一"), xena, level="national", kind="newspaper", placement="front"
    )
    services.quota_set(by=xena, year=year, union=tree["a"], department=None, pieces=1, points="30")
    services.quota_set(by=xena, year=year, union=tree["b"], department=None, pieces=4, points="10")
    rows = {r.quota.union.code: r for r in selectors.quota_rows(actor=xena, year=year)}
    assert rows["UA"].outcome.met and rows["UA"].outcome.penalty == 0
    assert not rows["UB"].outcome.met
    assert rows["UB"].outcome.missing_pieces == 4 and rows["UB"].outcome.penalty == D(8)
    assert indicator_value("infowork.quota_rate", Scope.year(year)) == D("50.0")
    assert indicator_value("infowork.quota_rate", Scope.year(year, union_path=tree["a"].path)) == D(
        "100.0"
    )
    again = services.quota_set(
        by=xena, year=year, union=tree["b"], department=None, pieces=0, points="0"
    )
    assert again.pieces == 0


def test_points_indicator_says_no_data_rather_than_zero(officer_a, xena, table, tree) -> None:
    year = yesterday().year
    assert indicator_value("infowork.points", Scope.year(year, union_path=tree["b"].path)) is None
    assert indicator_value("infowork.points", Scope.year(year, union_path=tree["a"].path)) == D(0)
    published(adopted(officer_a, xena), xena)
    published(adopted(officer_a, xena, "二"), xena, verify=False, outlet="其他报")
    assert indicator_value("infowork.points", Scope.year(year, union_path=tree["a"].path)) == D(8)
    assert indicator_value(
        "infowork.points", Scope.year(year, union_path=tree["county_a"].path)
    ) == D(8)
    assert indicator_value("infowork.points", Scope.year(year, department="security")) is None
    assert indicator_value("infowork.quota_rate", Scope.year(year)) is None


# -- scoping ---------------------------------------------------------------------------------


def test_officer_of_b_sees_nothing_of_a(officer_a, officer_b, xena, table, people) -> None:
    piece = adopted(officer_a, xena)
    publication = published(piece, xena)
    bob = people["bob"]
    with pytest.raises(NotFound):
        selectors.submission_get(actor=bob, public_id=piece.public_id)
    with pytest.raises(NotFound):
        selectors.publication_get(actor=bob, public_id=publication.public_id)
    assert not selectors.my_submissions(user=bob).exists()
    assert not selectors.submission_list(actor=bob).exists()
    assert selectors.standings(actor=bob, year=publication.published_on.year) == []
    with pytest.raises(Forbidden):
        services.publication_record(
            by=bob,
            submission=piece,
            data=services.PublicationData(
                "city", "website", "x", yesterday(), "general", "https://x.cn"
            ),
        )
    assert selectors.submission_get(actor=people["carol"], public_id=piece.public_id) == piece
    assert selectors.submission_get(actor=people["alice"], public_id=piece.public_id) == piece


def test_appointing_is_scoped(people, tree, xena) -> None:
    with pytest.raises(Forbidden):
        services.officer_appoint(by=people["carol"], user=people["bob"], union=tree["b"])
    officer = services.officer_appoint(by=people["carol"], user=people["alice"], union=tree["a"])
    with pytest.raises(DomainError):
        services.officer_appoint(by=people["carol"], user=people["alice"], union=tree["a"])
    with pytest.raises(Forbidden):
        services.officer_appoint(
            by=people["carol"],
            user=people["alice"],
            union=tree["county_a"],
            department=selectors.department_by_code("security"),
        )
    with pytest.raises(DomainError):
        services.officer_appoint(by=xena, user=people["member"], union=tree["a"])
    assert officer.active


def test_union_officer_role_carries_submit_and_info_officer_role_exists(tree) -> None:
    from gonghui.accounts.models import Role

    assert "infowork.submit" in Role.objects.get(code="union_officer").permissions
    role = Role.objects.get(code="info_officer")
    assert set(role.permissions) == {"org.view", "infowork.submit"} and not role.needs_department
