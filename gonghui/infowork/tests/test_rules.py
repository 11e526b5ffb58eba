"""The pure rules: the points table, versions by date, the state machine, quotas, rankings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.infowork import rules

D = Decimal


@pytest.mark.parametrize("level", rules.LEVELS)
@pytest.mark.parametrize("kind", rules.KINDS)
@pytest.mark.parametrize("placement", rules.PLACEMENTS)
def test_every_cell_of_the_default_table_scores_its_value(level, kind, placement) -> None:
    expected = D(rules.DEFAULT_PUBLICATION_POINTS[level][kind][placement])
    got = rules.publication_points(
        rules.DEFAULT_PUBLICATION_POINTS, level=level, kind=kind, placement=placement
    )
    assert got == expected and got > 0


def test_higher_levels_score_more_for_the_same_outlet_and_placement() -> None:
    for kind in rules.KINDS:
        for placement in rules.PLACEMENTS:
            national, provincial, city = (
                rules.publication_points(
                    rules.DEFAULT_PUBLICATION_POINTS, level=lv, kind=kind, placement=placement
                )
                for lv in rules.LEVELS
            )
            assert national > provincial > city


def test_a_version_is_chosen_by_the_date() -> None:
    versions = [(date(2025, 1, 1), "v1"), (date(2026, 7, 1), "v2"), (date(2026, 1, 1), "v3")]
    assert rules.version_in_force(versions, date(2025, 12, 31)) == "v1"
    assert rules.version_in_force(versions, date(2026, 6, 30)) == "v3"
    assert rules.version_in_force(versions, date(2026, 7, 1)) == "v2"
    with pytest.raises(DomainError) as caught:
        rules.version_in_force(versions, date(2024, 12, 31))
    assert caught.value.code == "infowork.no_points_table"


def test_a_second_version_scores_differently_for_every_cell() -> None:
    doubled = {
        lv: {k: {p: str(D(v) * 2) for p, v in row.items()} for k, row in kinds.items()}
        for lv, kinds in rules.DEFAULT_PUBLICATION_POINTS.items()
    }
    for level in rules.LEVELS:
        for kind in rules.KINDS:
            for placement in rules.PLACEMENTS:
                one = rules.publication_points(
                    rules.DEFAULT_PUBLICATION_POINTS, level=level, kind=kind, placement=placement
                )
                two = rules.publication_points(doubled, level=level, kind=kind, placement=placement)
                assert two == one * 2


def test_a_table_missing_a_cell_or_with_a_bad_value_is_refused() -> None:
    missing = {k: v for k, v in rules.DEFAULT_PUBLICATION_POINTS.items() if k != "city"}
    with pytest.raises(DomainError) as caught:
        rules.parse_publication_points(missing)
    assert caught.value.code == "infowork.points_missing"
    for bad in ("-1", "abc", "1001", "0.25", "NaN"):
        with pytest.raises(DomainError):
            rules.points_value(bad, "x")
    assert rules.points_value("0.5", "x") == D("0.5")
    with pytest.raises(DomainError):
        rules.parse_instruction_points({"national": "30"})


def test_instruction_bonus_by_level() -> None:
    assert rules.instruction_points(rules.DEFAULT_INSTRUCTION_POINTS, level="national") == D(30)
    assert rules.instruction_points(rules.DEFAULT_INSTRUCTION_POINTS, level="city") == D(10)
    with pytest.raises(DomainError):
        rules.instruction_points(rules.DEFAULT_INSTRUCTION_POINTS, level="county")


# -- state machine -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("adopted", "returned"),
        ("adopted", "submitted"),
        ("withdrawn", "submitted"),
        ("returned", "adopted"),
        ("submitted", "submitted"),
        ("adopted", "withdrawn"),
    ],
)
def test_illegal_transitions_are_refused(current, target) -> None:
    with pytest.raises(DomainError) as caught:
        rules.transition_actor(current, target)
    assert caught.value.code == "infowork.transition_invalid"


def test_who_moves_what() -> None:
    assert rules.transition_actor("submitted", "adopted") == rules.EDITOR
    assert rules.transition_actor("returned", "submitted") == rules.OFFICER
    assert rules.moves_from("submitted", rules.EDITOR) == ["adopted", "returned"]
    assert rules.moves_from("submitted", rules.OFFICER) == ["withdrawn"]


def test_returning_needs_a_reason() -> None:
    with pytest.raises(DomainError):
        rules.check_reason("returned", "  ")
    assert rules.check_reason("returned", " 补充 数据 ") == "补充 数据"
    assert rules.check_reason("adopted", "") == ""


# -- quotas ----------------------------------------------------------------------------------


def test_quota_met_needs_both_targets() -> None:
    met = rules.quota_outcome(
        pieces_target=10,
        pieces_done=12,
        points_target=D(50),
        points_done=D(50),
        shortfall_penalty=D(2),
    )
    assert met.met and met.penalty == 0 and met.pieces_rate == D("100.0")
    short_points = rules.quota_outcome(
        pieces_target=10,
        pieces_done=10,
        points_target=D(50),
        points_done=D("49.5"),
        shortfall_penalty=D(2),
    )
    assert not short_points.met and short_points.penalty == 0


def test_quota_shortfall_is_penalised_per_missing_piece() -> None:
    outcome = rules.quota_outcome(
        pieces_target=12,
        pieces_done=9,
        points_target=D(60),
        points_done=D(70),
        shortfall_penalty=D("2.5"),
    )
    assert not outcome.met
    assert outcome.missing_pieces == 3 and outcome.penalty == D("7.5")
    assert outcome.pieces_rate == D("75.0")


def test_quota_rate() -> None:
    yes = rules.quota_outcome(
        pieces_target=1, pieces_done=1, points_target=D(0), points_done=D(0), shortfall_penalty=D(1)
    )
    no = rules.quota_outcome(
        pieces_target=2, pieces_done=1, points_target=D(0), points_done=D(0), shortfall_penalty=D(1)
    )
    assert rules.quota_rate([]) is None
    assert rules.quota_rate([yes, no, no]) == D("33.3")


# -- rankings --------------------------------------------------------------------------------


def test_competition_ranking_shares_ties_and_skips() -> None:
    assert rules.competition_ranks([D(9), D(9), D(7)]) == [1, 1, 3]
    assert rules.competition_ranks([D(9), D(8), D(8), D(8), D(1)]) == [1, 2, 2, 2, 5]
    assert rules.competition_ranks([]) == []
    with pytest.raises(ValueError):
        rules.competition_ranks([D(1), D(2)])


def test_rank_orders_by_total_then_label() -> None:
    def s(key: str, points: str, bonus: str = "0", penalty: str = "0") -> rules.Standing:
        return rules.Standing(key, key, D(points), D(bonus), D(penalty), 0)

    ranked = rules.rank([s("b", "10"), s("a", "5", bonus="5"), s("c", "20", penalty="15")])
    assert [(r, st_.key) for r, st_ in ranked] == [(1, "a"), (1, "b"), (3, "c")]


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=30))
def test_ranks_are_one_based_non_decreasing_and_ties_equal(values) -> None:
    scores = sorted((D(v) for v in values), reverse=True)
    ranks = rules.competition_ranks(scores)
    for i, r in enumerate(ranks):
        assert 1 <= r <= i + 1
        assert r == 1 + sum(1 for x in scores if x > scores[i])


def test_uploads_are_judged_by_content() -> None:
    assert rules.photo_type(b"\x89PNG\r\n\x1a\nxxxx") == ("png", "image/png")
    assert rules.photo_type(b"%PDF-1.4") is None
    assert rules.scan_type(b"%PDF-1.4") == ("pdf", "application/pdf")
    assert rules.scan_type(b"GIF89a") is None
