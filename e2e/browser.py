"""What the journeys share: the server they talk to, pages watched for errors, and the steps
every journey takes (logging in, the TOTP step, screenshots)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from gonghui.core.testing import BASE_DIR, Sandbox

DEMO_PASSWORD = "Gonghui@2026"
SCREENSHOTS = BASE_DIR / "var" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@dataclass
class Site:
    """A running server on a throwaway copy of the demo city."""

    base_url: str
    sandbox: Sandbox

    def url(self, path: str) -> str:
        return self.base_url + path

    def totp(self, username: str) -> str:
        """The demo account's current TOTP code, computed from its device key on the server."""
        return self.sandbox.manage("demo_totp", username).stdout.strip()


@dataclass
class PageWatch:
    """What went wrong on a page: console errors, script errors, failed requests, and
    responses of 400 and above other than those a journey expects (`expect_status`)."""

    problems: list[str] = field(default_factory=list)
    expected: set[tuple[int, str]] = field(default_factory=set)

    def expect_status(self, status: int, path: str) -> None:
        self.expected.add((status, path))

    def attach(self, page: Any) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _is_expected(self, status: int, url: str) -> bool:
        return (status, urlsplit(url).path) in self.expected

    def _on_console(self, message: Any) -> None:
        if message.type not in {"error", "assert"}:
            return
        url = message.location.get("url", "")
        # Chromium reports every 4xx/5xx response as a console error, expected ones included.
        status = re.search(r"status of (\d{3})", message.text)
        if status and self._is_expected(int(status.group(1)), url):
            return
        self.problems.append(f"console {message.type}: {message.text} ({url})")

    def _on_request_failed(self, request: Any) -> None:
        # ERR_ABORTED is the browser cancelling a request itself (a navigation away from a page
        # with one in flight); refused, reset or blocked requests still count.
        if "ERR_ABORTED" in (request.failure or ""):
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400 and not self._is_expected(response.status, response.url):
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )


@dataclass
class Pages:
    """Opens pages in fresh browser contexts (no shared cookies) and watches each of them."""

    browser: Any
    contexts: list[Any] = field(default_factory=list)
    watches: dict[Any, PageWatch] = field(default_factory=dict)

    def __call__(self, site: Site, viewport: dict[str, int] = LAPTOP) -> Any:
        context = self.browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        watch = PageWatch()
        watch.attach(page)
        self.watches[page] = watch
        return page

    def expect_status(self, page: Any, status: int, path: str) -> None:
        """A response of `status` for `path` is what the journey wants to see on `page`."""
        self.watches[page].expect_status(status, path)

    def problems(self) -> list[str]:
        return [problem for watch in self.watches.values() for problem in watch.problems]

    def take_problems(self, page: Any) -> list[str]:
        """The problems `page` reported so far, which then no longer fail the test."""
        taken = list(self.watches[page].problems)
        self.watches[page].problems.clear()
        return taken


def screenshot(page: Any, name: str) -> Path:
    """Saved under var/screenshots/ for a person to look at (var/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def log_in(page: Any, site: Site, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(site.url("/accounts/login/"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def pass_two_factor(page: Any, site: Site, username: str) -> None:
    """A TOTP code works once: when another journey on the same server has just used this
    account's code of the current 30-second step, wait for the next step and type that one."""
    heading = page.get_by_role("heading", name="双因素认证")
    expect(heading).to_be_visible()
    for _attempt in range(2):
        page.get_by_label("动态验证码").fill(site.totp(username))
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()
        if page.get_by_text("验证码不正确或已过期").count() == 0:
            return
        time.sleep(30 - time.time() % 30 + 1)
    expect(heading).not_to_be_visible()


def search_unions(page: Any, text: str) -> None:
    """Type into the tree page's search box and wait for the results it loads as one types."""
    box = page.get_by_role("searchbox", name="按名称或代码搜索工会")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request")):
        box.fill(text)


def fits_width(page: Any) -> bool:
    """No horizontal scrolling: nothing sticks out past the viewport."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
