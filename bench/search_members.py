"""Benchmark: member search over the API's own code path (GET /api/v1/members?q=…) at scale.

Builds a fresh database with the demo city and --members fictitious members, then times a mix
of name-prefix, pinyin-initials, full-pinyin, full ID, full phone and last-four queries made by
a city-level officer (the widest scope) and by a county officer. Prints figures, then one JSON
object as the last line."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import drop_database, fresh_database, run_phase, scratch_dir, setup_django


def phase_search(members: int, queries: int, seed: int) -> dict:
    setup_django()
    from django.test import Client

    from gonghui.accounts.models import Assignment, Role, User
    from gonghui.accounts.services import token_create
    from gonghui.core.demo import build_tree
    from gonghui.members.demo import seed_members
    from gonghui.members.models import Member
    from gonghui.orgs.models import Union

    rng = random.Random(seed)
    build_tree(rng)
    started = time.perf_counter()
    seed_members(rng, members=members)
    seeded = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would gather after a bulk load in production.
        cursor.execute("ANALYZE")
    clients = {}
    for label, code, role in [("city", "HC", "leader"), ("county", "D01", "county_staff")]:
        user = User.objects.create(username=f"bench-{label}", kind="staff")
        Assignment.objects.create(
            user=user, union=Union.objects.get(code=code), role=Role.objects.get(code=role)
        )
        _token, secret = token_create(by=user, name="bench")
        clients[label] = (Client(HTTP_HOST="127.0.0.1"), {"HTTP_AUTHORIZATION": f"Bearer {secret}"})
    sample = list(
        Member.objects.order_by("?").values_list(
            "name", "name_pinyin", "name_initials", "id_number", "phone"
        )[:500]
        if members <= 200_000
        else Member.objects.filter(
            pk__in=[rng.randrange(1, members) for _ in range(500)]
        ).values_list("name", "name_pinyin", "name_initials", "id_number", "phone")
    )
    kinds = {
        "name": lambda s: s[0][:2],
        "initials": lambda s: s[2][:3],
        "pinyin": lambda s: s[1][:6],
        "id": lambda s: s[3],
        "id_lower_x": lambda s: s[3].lower(),
        "phone": lambda s: s[4],
        "last4": lambda s: s[3][-4:],
    }
    timings: dict[str, list[float]] = {k: [] for k in kinds}
    all_ms: list[float] = []
    for i in range(queries):
        kind = list(kinds)[i % len(kinds)]
        client, headers = clients["city" if i % 2 else "county"]
        q = kinds[kind](rng.choice(sample))
        t = time.perf_counter()
        response = client.get("/api/v1/members", {"q": q, "page_size": 20}, **headers)
        elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, response.content[:200]
        timings[kind].append(elapsed)
        all_ms.append(elapsed)
    return {
        "members": Member.objects.count(),
        "seed_seconds": round(seeded, 1),
        "queries": queries,
        "per_kind_p95": {k: round(_pct(v, 95), 1) for k, v in timings.items() if v},
        "p50_ms": round(_pct(all_ms, 50), 2),
        "p95_ms": round(_pct(all_ms, 95), 2),
        "p99_ms": round(_pct(all_ms, 99), 2),
        "mean_ms": round(statistics.fmean(all_ms), 2),
    }


def _pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=700)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phase", choices=["search"])
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase_search(args.members, args.queries, args.seed)))
        return
    work = scratch_dir("bench-search-")
    env = fresh_database(args.database_url or None, work, "search")
    try:
        result = run_phase(
            Path(__file__),
            "search",
            env,
            "--members",
            str(args.members),
            "--queries",
            str(args.queries),
            "--seed",
            str(args.seed),
        )
    finally:
        drop_database(env)
    print(f"database: {'postgresql' if args.database_url else 'sqlite'}")
    print(f"seeded {result['members']} members in {result['seed_seconds']}s")
    print("p95 by kind (ms): " + ", ".join(f"{k} {v}" for k, v in result["per_kind_p95"].items()))
    print(f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms")
    print(json.dumps({k: result[k] for k in ("members", "queries", "p50_ms", "p95_ms", "p99_ms")}))


if __name__ == "__main__":
    main()
