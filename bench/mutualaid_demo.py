"""Benchmark: enrol --members members of one plan year (70,000 by default, the size of the
federation's plan) through the service the pages and the demo use, then compute the plan year's
transparency report.

The baseline measured in the same run is the floor: the same enrolment rows written with
Django's plain bulk_create, with no checks, no payment records and no audit entries. Each phase
runs in its own process against its own new database. Prints figures, then one JSON object as
the last line. Not part of `make test`."""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import drop_database, fresh_database, peak_rss_mb, run_phase, setup_django

UNION_SIZE = 500  # members per grassroots union: a batch is one union's roster


def _city(members: int, seed: int):
    """The demo tree and accounts, `members` members spread over enough grassroots unions,
    the plan year open for enrolment; returns (manager, plan, unions)."""
    from datetime import date

    from gonghui.accounts.models import User
    from gonghui.core import demo
    from gonghui.members.demo import seed_members
    from gonghui.mutualaid import services
    from gonghui.orgs.models import Union

    rng = random.Random(seed)
    demo.DEMO_SEEDERS[:] = [seed_members]
    demo.seed(members=members, seed_value=seed)
    manager = User.objects.get(username="baozhang")
    plan = services.plan_year_create(
        by=manager,
        code="B2026",
        name="基准保障期",
        starts_on=date(2026, 7, 1),
        ends_on=date(2027, 6, 30),
        enrol_opens_on=date(2026, 6, 1),
        enrol_closes_on=date(2027, 3, 31),
    )
    unions = list(Union.objects.filter(kind="grassroots").order_by("code"))
    rng.shuffle(unions)
    return manager, plan, unions


def phase_service(members: int, seed: int) -> dict:
    setup_django()
    from gonghui.mutualaid import selectors, services

    manager, plan, unions = _city(members, seed)
    started = time.perf_counter()
    enrolled = 0
    for union in unions:
        roster = selectors.roster_to_enrol(actor=manager, union=union, plan=plan)
        if not roster.exists():
            continue
        batch = services.enrol_members(
            by=manager,
            plan=plan,
            union=union,
            members=roster.iterator(chunk_size=services.BULK_CHUNK),
            source="filter",
            today=plan.enrol_opens_on,
        )
        enrolled += batch.enrolled_count
        for payment in batch.payments.all():
            services.payment_record(
                by=manager, payment=payment, paid_fen=payment.due_fen, paid_on=plan.starts_on
            )
    enrol_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = selectors.transparency_report(plan)
    report_seconds = time.perf_counter() - started
    return {
        "enrolled": enrolled,
        "enrol_seconds": round(enrol_seconds, 2),
        "per_second": round(enrolled / enrol_seconds),
        "report_seconds": round(report_seconds, 3),
        "participants": report.participants,
        "income_fen": report.income_fen,
        "peak_rss_mb": round(peak_rss_mb()),
    }


def phase_floor(members: int, seed: int) -> dict:
    setup_django()
    from gonghui.members.models import Member
    from gonghui.mutualaid import rules, selectors
    from gonghui.mutualaid.models import Enrolment

    _manager, plan, _unions = _city(members, seed)
    version = selectors.version_in_force(plan, plan.starts_on)
    parts = rules.split_contribution(version.contribution_fen, version.weights)
    started = time.perf_counter()
    rows = (
        Enrolment(
            certificate_no=rules.certificate_no(plan.code, m.member_no),
            plan_year=plan,
            member_id=m.pk,
            union_id=m.union_id,
            rule_version=version,
            contribution_fen=version.contribution_fen,
            employer_fen=parts[0],
            union_fen=parts[1],
            worker_fen=parts[2],
            enrolled_on=plan.starts_on,
            cover_starts_on=plan.starts_on,
            cover_ends_on=plan.ends_on,
        )
        for m in Member.objects.only("pk", "member_no", "union_id").iterator(chunk_size=2000)
    )
    Enrolment.objects.bulk_create(rows, batch_size=1000)
    seconds = time.perf_counter() - started
    count = Enrolment.objects.count()
    return {
        "enrolled": count,
        "enrol_seconds": round(seconds, 2),
        "per_second": round(count / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=70_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None, help="PostgreSQL admin URL (else SQLite)")
    parser.add_argument("--phase", choices=["service", "floor"])
    args = parser.parse_args()
    if args.phase:
        phase = phase_service if args.phase == "service" else phase_floor
        print(json.dumps(phase(args.members, args.seed)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in ("floor", "service"):
            env = fresh_database(args.database_url, Path(folder), name)
            try:
                results[name] = run_phase(
                    Path(__file__),
                    name,
                    env,
                    "--members",
                    str(args.members),
                    "--seed",
                    str(args.seed),
                )
            finally:
                drop_database(env)
    service, floor = results["service"], results["floor"]
    print(f"members            {args.members}")
    print(
        f"enrolled (service) {service['enrolled']} in {service['enrol_seconds']} s "
        f"({service['per_second']}/s, peak {service['peak_rss_mb']} MB)"
    )
    print(
        f"enrolled (floor)   {floor['enrolled']} in {floor['enrol_seconds']} s ({floor['per_second']}/s)"
    )
    print(
        f"service / floor    {service['enrol_seconds'] / max(floor['enrol_seconds'], 0.001):.1f}x"
    )
    print(
        f"report             {service['report_seconds']} s for {service['participants']} participants"
    )
    print(json.dumps({"service": service, "floor": floor}))


if __name__ == "__main__":
    main()
