"""The program's pure rules: which honour counts, the allowance table, months, and the fair
疗休养 rotation (with a hypothesis simulation of many rounds)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.modelworkers import rules
from gonghui.modelworkers.rules import Candidate, HonourFact

RATES = {
    ("national", "retired", False): 80000,
    ("national", "retired", True): 120000,
    ("city", "retired", False): 20000,
}


def test_the_highest_level_counts_then_the_earliest_year() -> None:
    honours = [HonourFact("city", 2001), HonourFact("national", 2015), HonourFact("national", 2009)]
    assert rules.highest_honour(honours) == HonourFact("national", 2009)


def test_a_revoked_honour_does_not_count_and_none_left_means_none() -> None:
    assert rules.highest_honour(
        [HonourFact("national", 2009, revoked=True), HonourFact("city", 2001)]
    ) == HonourFact("city", 2001)
    assert rules.highest_honour([HonourFact("city", 2001, revoked=True)]) is None


def test_the_hardship_rate_applies_to_hardship_model_workers_only() -> None:
    assert (
        rules.monthly_allowance(RATES, level="national", status="retired", hardship=True) == 120000
    )
    assert (
        rules.monthly_allowance(RATES, level="national", status="retired", hardship=False) == 80000
    )


def test_without_a_hardship_row_the_ordinary_rate_applies() -> None:
    assert rules.monthly_allowance(RATES, level="city", status="retired", hardship=True) == 20000


def test_no_row_or_deceased_means_not_entitled() -> None:
    assert rules.monthly_allowance(RATES, level="city", status="working", hardship=False) == 0
    assert rules.monthly_allowance(RATES, level="national", status="deceased", hardship=True) == 0


@pytest.mark.parametrize(
    ("day", "previous", "following"),
    [
        (date(2026, 1, 15), date(2025, 12, 1), date(2026, 2, 1)),
        (date(2026, 12, 31), date(2026, 11, 1), date(2027, 1, 1)),
        (date(2026, 7, 1), date(2026, 6, 1), date(2026, 8, 1)),
    ],
)
def test_months(day: date, previous: date, following: date) -> None:
    assert rules.previous_month(rules.month_start(day)) == previous
    assert rules.next_month(day) == following


def test_line_references_name_the_month() -> None:
    assert rules.line_reference(date(2026, 10, 1), 123) == "MW202610-000123"


def test_batches_move_only_forward() -> None:
    rules.check_batch_move("draft", "approved")
    with pytest.raises(DomainError) as caught:
        rules.check_batch_move("draft", "sent")
    assert caught.value.code == "modelworkers.batch.transition_invalid"


def test_a_declined_invitation_cannot_be_attended() -> None:
    rules.check_invitation_move("invited", "declined")
    with pytest.raises(DomainError):
        rules.check_invitation_move("declined", "attended")


def test_the_answer_deadline_is_the_trips_date_or_the_day_before_departure() -> None:
    assert rules.reply_deadline(answer_by=None, starts_on=date(2026, 5, 10)) == date(2026, 5, 9)
    assert rules.reply_deadline(answer_by=date(2026, 5, 1), starts_on=date(2026, 5, 10)) == (
        date(2026, 5, 1)
    )


def test_the_answer_date_falls_between_today_and_departure() -> None:
    today, starts = date(2026, 4, 1), date(2026, 5, 10)
    rules.check_answer_by(None, starts_on=starts, today=today)
    rules.check_answer_by(today, starts_on=starts, today=today)
    for wrong, code in [
        (starts, "modelworkers.trip.answer_by"),
        (date(2026, 3, 31), "modelworkers.trip.answer_by_past"),
    ]:
        with pytest.raises(DomainError) as caught:
            rules.check_answer_by(wrong, starts_on=starts, today=today)
        assert caught.value.code == code


def test_the_invited_answer_until_the_deadline_day_ends() -> None:
    deadline = date(2026, 5, 1)
    rules.check_member_answer(
        current="invited", to="accepted", deadline=deadline, today=deadline, cancelled=False
    )
    with pytest.raises(DomainError) as caught:
        rules.check_member_answer(
            current="invited",
            to="accepted",
            deadline=deadline,
            today=deadline + timedelta(days=1),
            cancelled=False,
        )
    assert caught.value.code == "modelworkers.invitation.deadline_passed"


@pytest.mark.parametrize(
    ("current", "to", "cancelled", "code"),
    [
        ("invited", "accepted", True, "modelworkers.trip.cancelled"),
        ("invited", "attended", False, "modelworkers.invitation.transition_invalid"),
        ("accepted", "accepted", False, "modelworkers.invitation.already_answered"),
        ("declined", "accepted", False, "modelworkers.invitation.transition_invalid"),
        ("attended", "declined", False, "modelworkers.invitation.transition_invalid"),
    ],
)
def test_what_the_invited_may_not_answer(current: str, to: str, cancelled: bool, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_member_answer(
            current=current,
            to=to,
            deadline=date(2026, 5, 1),
            today=date(2026, 4, 1),
            cancelled=cancelled,
            cancel_reason="台风",
        )
    assert caught.value.code == code


def test_the_phone_offers_only_the_answers_still_open() -> None:
    open_day, deadline = date(2026, 4, 1), date(2026, 5, 1)

    def offered(state: str, *, today: date = open_day, cancelled: bool = False) -> list[str]:
        return rules.member_answers(
            state=state, deadline=deadline, today=today, cancelled=cancelled
        )

    assert offered("invited") == ["accepted", "declined"]
    assert offered("accepted") == ["declined"]
    assert offered("declined") == [] and offered("attended") == []
    assert offered("invited", today=date(2026, 5, 2)) == []
    assert offered("invited", cancelled=True) == []


def test_accepting_needs_a_place_left_by_the_others() -> None:
    rules.check_trip_accepts(quota=3, holding_others=2)
    with pytest.raises(DomainError) as caught:
        rules.check_trip_accepts(quota=3, holding_others=3)
    assert caught.value.code == "modelworkers.trip.full"


def test_cancelling_is_refused_once_begun_or_done() -> None:
    today = date(2026, 4, 1)
    rules.check_trip_cancel(cancelled=False, starts_on=date(2026, 4, 2), today=today)
    with pytest.raises(DomainError):
        rules.check_trip_cancel(cancelled=False, starts_on=today, today=today)
    with pytest.raises(DomainError):
        rules.check_trip_cancel(cancelled=True, starts_on=date(2026, 5, 1), today=today)
    now = datetime(2026, 4, 1, 6, tzinfo=UTC)
    rules.check_lecture_cancel(cancelled=False, starts_at=now + timedelta(minutes=1), now=now)
    with pytest.raises(DomainError) as caught:
        rules.check_lecture_cancel(cancelled=False, starts_at=now, now=now)
    assert caught.value.code == "modelworkers.lecture.took_place"


def test_the_queue_puts_never_went_first_then_longest_since() -> None:
    never = Candidate(1, None, "city", 2020, "M000000009")
    long_ago = Candidate(2, date(2020, 5, 1), "national", 2000, "M000000001")
    recent = Candidate(3, date(2025, 5, 1), "national", 2000, "M000000002")
    assert [c.key for c in rules.rotation_order([recent, long_ago, never])] == [1, 2, 3]


def test_ties_go_to_higher_level_then_earlier_award_then_member_number() -> None:
    same = date(2024, 1, 1)
    city = Candidate(1, same, "city", 1990, "M000000001")
    national_late = Candidate(2, same, "national", 2015, "M000000002")
    national_early_b = Candidate(3, same, "national", 2005, "M000000009")
    national_early_a = Candidate(4, same, "national", 2005, "M000000004")
    order = rules.rotation_order([city, national_late, national_early_b, national_early_a])
    assert [c.key for c in order] == [4, 3, 2, 1]


def test_invite_only_the_free_places() -> None:
    people = [Candidate(i, None, "city", 2000, f"M{i:09d}") for i in range(10)]
    assert len(rules.to_invite(people, quota=6, holding=4)) == 2
    assert rules.to_invite(people, quota=6, holding=7) == []


def test_a_full_lecture_refuses_another_sign_up() -> None:
    rules.check_places(signed_up=1, capacity=2)
    with pytest.raises(DomainError) as caught:
        rules.check_places(signed_up=2, capacity=2)
    assert caught.value.code == "modelworkers.lecture.full"


# -- the rotation over many rounds ----------------------------------------------------------

LEVEL = st.sampled_from(rules.LEVELS)


@settings(max_examples=150, deadline=None)
@given(
    people=st.lists(st.tuples(LEVEL, st.integers(1980, 2025)), min_size=1, max_size=25),
    quota=st.integers(1, 8),
    rounds=st.integers(1, 12),
    declines=st.lists(st.integers(0, 24), max_size=40),
)
def test_no_one_waits_two_rounds_longer_than_someone_who_went(
    people: list[tuple[str, int]], quota: int, rounds: int, declines: list[int]
) -> None:
    """Round r is a trip on day r: the head of the queue is invited; some decline (they keep
    their place), the others go. Whoever was passed over has waited at most one round longer
    than anyone who went that round (never two), and with no declines nobody waits more than
    ceil(people / quota) rounds for a trip."""
    last: dict[int, date | None] = dict.fromkeys(range(len(people)))
    longest_wait = -(-len(people) // quota)
    declined_ever: set[int] = set()
    refusals = iter(declines)
    for day in range(1, rounds + 1):
        candidates = [Candidate(k, last[k], people[k][0], people[k][1], f"M{k:09d}") for k in last]
        invited = rules.to_invite(candidates, quota=quota, holding=0)
        refusing = {next(refusals, -1) for _i in range(2)}
        went = [c for c in invited if c.key not in refusing]
        declined_ever |= {c.key for c in invited if c.key in refusing}

        def waited(key: int, today: int = day) -> int:
            return today - (last[key].toordinal() if last[key] else 0)

        invited_keys = {c.key for c in invited}
        for other in last:
            if other in invited_keys:
                continue
            for person in went:
                assert waited(other) - waited(person.key) < 2, (day, other, person)
        for person in went:
            if not declined_ever:
                assert waited(person.key) <= longest_wait, (day, person)
            last[person.key] = date.fromordinal(day)
    if not declined_ever:
        for key in last:
            assert rounds - (last[key].toordinal() if last[key] else 0) < longest_wait + 1
