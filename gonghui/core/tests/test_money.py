import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.money import format_fen, parse_yuan


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "¥0.00"), (5, "¥0.05"), (123450, "¥1,234.50"), (-250, "-¥2.50")],
)
def test_format_fen(fen, text):
    assert format_fen(fen) == text


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12", 1200), ("12.5", 1250), ("１２.５０", 1250), ("¥1,234.50", 123450), (" 0.01 ", 1)],
)
def test_parse_yuan(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1e3", "--1", "1.2.3"])
def test_parse_yuan_refuses_what_it_cannot_read_exactly(text):
    with pytest.raises(ValueError):
        parse_yuan(text)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_then_parse_gives_the_same_fen(fen):
    assert parse_yuan(format_fen(fen).replace("¥", "")) == fen
