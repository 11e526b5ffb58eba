"""Races that only a real database shows: two imports of one roster at once, two officers
accepting one transfer at once. PostgreSQL only (SQLite serialises every writer anyway), real
threads, each with its own connection."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.members import services
from gonghui.members.importer import import_members
from gonghui.members.models import Member, MemberStatus, Transfer
from gonghui.members.tests.conftest import (
    fake_people,
    member_indexes,
    roster_row,
    write_xlsx,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _roles(transactional_db: Any) -> None:
    ensure_reference_data()


def test_two_imports_of_one_roster_make_each_member_once(tmp_path, tree) -> None:
    people = fake_people(60)
    path = write_xlsx(tmp_path / "roster.xlsx", [roster_row(p) for p in people])

    summaries = race(
        lambda: import_members(by=None, path=path, union=tree["a"]),
        lambda: import_members(by=None, path=path, union=tree["a"]),
    )

    assert not [s for s in summaries if isinstance(s, Exception)], summaries
    assert all(s.written and s.errors == 0 for s in summaries)
    assert sorted(s.created for s in summaries) == [0, 60]
    assert sorted(s.unchanged for s in summaries) == [0, 60]
    assert Member.objects.count() == 60
    assert set(Member.objects.values_list("id_index", flat=True)) == {
        services.id_index(p["id_number"]) for p in people
    }
    assert Member.objects.values("member_no").distinct().count() == 60


def test_two_unions_importing_the_same_people_at_once(tmp_path, tree) -> None:
    """Each union's lock does not hold the other back: the unique blind index does. The one
    that comes second either sees the people (and asks for transfers) or is told of the
    conflict; never a duplicate, never a crash."""
    people = fake_people(40)
    path = write_xlsx(tmp_path / "roster.xlsx", [roster_row(p) for p in people])

    results = race(
        lambda: import_members(by=None, path=path, union=tree["a"]),
        lambda: import_members(by=None, path=path, union=tree["b"]),
    )

    crashes = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert not crashes, crashes
    winners = [r for r in results if not isinstance(r, Exception) and r.created == 40]
    assert len(winners) == 1, results
    loser = results[1 - results.index(winners[0])]
    if isinstance(loser, DomainError):
        assert loser.code == "member.import_conflict"
    else:
        assert (loser.created, loser.transfers) == (0, 40)
    assert Member.objects.count() == 40


def test_two_officers_accepting_one_transfer(tree, make_member) -> None:
    alice = make_user("alice", assignments=[(tree["a"], "union_officer", None)])
    bob = make_user("bob", assignments=[(tree["b"], "union_officer", None)])
    bea = make_user("bea", assignments=[(tree["b"], "union_officer", None)])
    member = make_member(tree["a"])
    transfer = services.transfer_request(by=alice, member=member, to_union=tree["b"])

    results = race(
        lambda: services.transfer_decide(by=bob, transfer=transfer, accept=True),
        lambda: services.transfer_decide(by=bea, transfer=transfer, accept=True),
    )

    decided = [r for r in results if isinstance(r, Transfer)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(decided) == 1, results
    assert [e.code for e in refused] == ["member.transfer_decided"]
    member.refresh_from_db()
    assert (member.union, member.status) == (tree["b"], MemberStatus.ACTIVE)
    transfer.refresh_from_db()
    assert transfer.decided_by == decided[0].decided_by
    events = member.events.filter(kind="members.transfer.accepted")
    assert events.count() == 1


def test_two_registrations_of_one_person_at_once(tree) -> None:
    alice = make_user("alice", assignments=[(tree["a"], "union_officer", None)])
    bob = make_user("bob", assignments=[(tree["b"], "union_officer", None)])
    person = fake_people(1)[0]

    def register(by: Any, union: Any) -> Member:
        data = services.MemberData(name=person["name"], id_number=person["id_number"])
        return services.member_create(by=by, union=union, data=data)

    results = race(lambda: register(alice, tree["a"]), lambda: register(bob, tree["b"]))

    created = [r for r in results if isinstance(r, Member)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 1, results
    assert [e.code for e in refused] == ["member.already_registered"]
    assert Member.objects.count() == 1


def test_a_first_load_keeps_the_indexes_while_someone_reads_the_registry(
    tmp_path, tree, first_load
) -> None:
    """Dropping the indexes waits for the table's readers only LOCK_WAIT: then the load keeps
    them up row by row, and the reader is never locked out."""
    path = write_xlsx(tmp_path / "roster.xlsx", [roster_row(p) for p in fake_people(20)])
    keys = member_indexes()
    reading, loaded = threading.Event(), threading.Event()

    def reader() -> bool:
        with transaction.atomic():
            found = Member.objects.exists()
            reading.set()
            loaded.wait(timeout=30)
        return found

    def load() -> Any:
        reading.wait(timeout=10)
        try:
            with CaptureQueriesContext(connection) as queries:
                summary = import_members(by=None, path=path, union=tree["a"])
            return summary, [q["sql"] for q in queries if "DROP INDEX" in q["sql"]]
        finally:
            loaded.set()

    found, (summary, drops) = race(reader, load)
    assert found is False
    assert (summary.created, summary.written) == (20, True)
    assert drops == []
    assert member_indexes() == keys


def test_two_first_loads_at_once_rebuild_the_indexes_at_most_once(
    tmp_path, tree, first_load
) -> None:
    """A load that cannot take the table within LOCK_WAIT (each may be reading it), or finds it
    filled once it may, keeps the indexes up row by row: both load, at most one rebuilds."""
    paths = [
        write_xlsx(tmp_path / f"{n}.xlsx", [roster_row(p) for p in fake_people(30, seed=n)])
        for n in (1, 2)
    ]
    keys = member_indexes()

    def load(path: Any, union: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            summary = import_members(by=None, path=path, union=union)
        return summary, sum("CREATE INDEX" in q["sql"] for q in queries)

    results = race(lambda: load(paths[0], tree["a"]), lambda: load(paths[1], tree["b"]))

    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(s.created for s, _ in results) == [30, 30]
    assert sorted(built for _, built in results) in ([0, 0], [0, len(Member._meta.indexes)])
    assert Member.objects.count() == 60
    assert member_indexes() == keys
