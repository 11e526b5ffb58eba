"""The watch on every journey's pages is not blind: a blocked inline script (CSP) and a
missing file are reported, and would fail the journey."""

import time

import pytest

pytestmark = pytest.mark.e2e

INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
}"""


def _wait_for_problems(open_page, page, count):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if len(open_page.watches[page].problems) >= count:
            break
        page.wait_for_timeout(100)
    return open_page.take_problems(page)


def test_csp_violations_and_failed_requests_are_caught(site, open_page):
    page = open_page(site)
    page.goto(site.url("/accounts/login/"))
    assert open_page.take_problems(page) == []

    page.evaluate(INLINE_SCRIPT)
    page.evaluate("() => fetch('/static/css/missing.css').catch(() => null)")

    problems = _wait_for_problems(open_page, page, 3)
    assert page.evaluate("() => window.injected === undefined")
    assert any("Content Security Policy" in p for p in problems), problems
    assert any(p.startswith("HTTP 404") and "missing.css" in p for p in problems), problems
