"""Fixtures every test module can use: a small tree with two counties, and people on both
sides of it (Alice's union A and Bob's union B), so any test can check that B sees nothing of A."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from gonghui.accounts.models import Assignment, Role, User
from gonghui.orgs.models import Department, Union
from gonghui.orgs.services import union_create

PASSWORD = "Test-Passw0rd!"

# Property tests check rules, not speed: on a busy 2-core CI machine the first example of a
# test (imports, a cold cache) can exceed Hypothesis' 200 ms deadline without any fault.
hypothesis_settings.register_profile("gonghui", deadline=None)
hypothesis_settings.load_profile("gonghui")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_first() -> Any:
    """LocaleMiddleware leaves the last request's language active in the thread: each test
    starts in the default language, as a new request would."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree(db: Any) -> dict[str, Union]:
    ensure_reference_data()
    city = union_create(by=None, code="CITY", name="测试市总工会", kind="city", parent=None)
    county_a = union_create(by=None, code="CA", name="甲区总工会", kind="county", parent=city)
    county_b = union_create(by=None, code="CB", name="乙区总工会", kind="county", parent=city)
    union_a = union_create(by=None, code="UA", name="甲厂工会", kind="grassroots", parent=county_a)
    union_b = union_create(by=None, code="UB", name="乙厂工会", kind="grassroots", parent=county_b)
    return {"city": city, "county_a": county_a, "county_b": county_b, "a": union_a, "b": union_b}


def ensure_reference_data() -> None:
    """Roles and departments come from data migrations; a transactional test's flush removes
    them, so tests that run after one on the same worker put them back: every migration of ours
    that says `REFERENCE_DATA = True` runs again, in migration order."""
    if Role.objects.exists():
        return
    from django.apps import apps

    for module in _reference_migrations():
        module.forward(apps, None)


def _reference_migrations() -> list[Any]:
    global _REFERENCE_MIGRATIONS
    if _REFERENCE_MIGRATIONS is None:
        import sys

        from django.db.migrations.loader import MigrationLoader

        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        plan = dict.fromkeys(
            node for leaf in graph.leaf_nodes() for node in graph.forwards_plan(leaf)
        )
        modules = (sys.modules[type(graph.nodes[node]).__module__] for node in plan)
        _REFERENCE_MIGRATIONS = [m for m in modules if getattr(m, "REFERENCE_DATA", False)]
    return _REFERENCE_MIGRATIONS


_REFERENCE_MIGRATIONS: list[Any] | None = None


def make_user(
    username: str, *, kind: str = "staff", assignments: list[tuple[Union, str, str | None]] = ()
) -> User:
    ensure_reference_data()
    user = User.objects.create_user(username=username, password=PASSWORD, kind=kind)
    for union, role, department in assignments:
        Assignment.objects.create(
            user=user,
            union=union,
            role=Role.objects.get(code=role),
            department=Department.objects.get(code=department) if department else None,
        )
    return user


@pytest.fixture
def people(tree: dict[str, Union]) -> dict[str, User]:
    return {
        "alice": make_user("alice", assignments=[(tree["a"], "union_officer", None)]),
        "bob": make_user("bob", assignments=[(tree["b"], "union_officer", None)]),
        "carol": make_user("carol", assignments=[(tree["county_a"], "county_staff", None)]),
        "sysadmin": make_user("sysadmin", assignments=[(tree["city"], "system_admin", None)]),
        "secadmin": make_user("secadmin", assignments=[(tree["city"], "security_admin", None)]),
        "auditor": make_user("auditor", assignments=[(tree["city"], "audit_admin", None)]),
        "member": make_user("member", kind="member"),
    }


def verified_client(user: User) -> Client:
    """A client logged in as `user` who has passed the TOTP step."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login_as() -> Any:
    return verified_client


@pytest.fixture(autouse=True)
def _audit_guard(request: Any) -> Any:
    """The audit triggers refuse DELETE/TRUNCATE, which is how transactional tests are flushed:
    the guard is on during every test and off only for the flush that follows one."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db:
        yield
        return
    from django.db import connection

    from gonghui.audit.triggers import set_guard

    set_guard(connection, True)
    yield
    transactional = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (
        transactional and transactional.kwargs.get("transaction")
    ):
        set_guard(connection, False)


def race(*jobs: Any) -> list[Any]:
    """Run the jobs in threads released together (each with its own database connection);
    each result is the job's value or the exception it raised. For PostgreSQL race tests."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:  # the test looks at it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results
