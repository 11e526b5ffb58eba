"""Browser journeys: Playwright driving Debian's chromium against a real server.

Each xdist worker builds the demo city once (`migrate`, `seed_demo --members 0`) in a throwaway
installation (its own GONGHUI_VAR_DIR, and its own PostgreSQL database when DATABASE_URL names
one) and serves a copy of it with gunicorn; a journey that must not share state (the lockout)
gets a copy of its own. Every page a journey opens must log no console error, raise no script
error and have no failed request: the `open_page` fixture checks that after each test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from e2e.browser import Pages, Site
from gonghui.core.testing import BASE_DIR, Sandbox, sandbox

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} not found: apt-get install chromium fonts-wqy-microhei"
        if os.environ.get("GONGHUI_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (GONGHUI_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_city(chromium: str, tmp_path_factory: Any) -> Iterator[Sandbox]:
    """The seeded demo city that servers copy; nothing ever runs on it directly."""
    with sandbox(tmp_path_factory.mktemp("demo-city"), prefix="gonghui_e2e_city") as city:
        city.manage("migrate", "--noinput")
        city.manage("seed_demo", "--members", "0")
        yield city


@contextmanager
def _serve(demo_city: Sandbox, var_dir: Path) -> Iterator[Site]:
    with sandbox(var_dir, prefix="gonghui_e2e_site", template=demo_city) as copy:
        port = _free_port()
        log_path = var_dir / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "gonghui.wsgi",
                    f"--bind=127.0.0.1:{port}",
                    "--workers=1",
                    "--threads=8",
                    "--access-logfile=-",
                ],
                cwd=BASE_DIR,
                # DEBUG off: the pages a user sees (404 included), not Django's debug pages.
                env=copy.env | {"DEBUG": "0"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            # The background-task worker, as `make run` starts it: imports and exports run there.
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
                cwd=BASE_DIR,
                env=copy.env | {"DEBUG": "0"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            site = Site(base_url=f"http://127.0.0.1:{port}", sandbox=copy)
            _wait_until_healthy(site, server, log_path)
            yield site
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(site: Site, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited ({server.returncode}):\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(site.url("/healthz"), timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer /healthz within 60 s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def site(demo_city: Sandbox, tmp_path_factory: Any) -> Iterator[Site]:
    """The server the journeys share (one per xdist worker)."""
    with _serve(demo_city, tmp_path_factory.mktemp("site")) as shared:
        yield shared


@pytest.fixture
def fresh_site(demo_city: Sandbox, tmp_path: Path) -> Iterator[Site]:
    """A server of its own, for a journey whose traces (a locked address) must not leak."""
    with _serve(demo_city, tmp_path / "site") as own:
        yield own


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    # Module scope on purpose: Playwright's sync API keeps an asyncio loop marked running in
    # this thread while it is started, which makes Django refuse ORM calls in later tests of
    # the same xdist worker; stopping it after each module ends that.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Pages]:
    """`open_page(site, viewport=PHONE)` opens a page in a fresh context; after the test, every
    page it opened must have reported no problem."""
    pages = Pages(browser)
    yield pages
    problems = pages.problems()
    for context in pages.contexts:
        context.close()
    assert not problems, "the pages reported problems:\n" + "\n".join(problems)
