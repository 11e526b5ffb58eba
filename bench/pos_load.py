"""Benchmark: signed POS quote + confirm pairs against the production server, with retries.

    python bench/pos_load.py [--database-url postgres://…/postgres] [--seconds 30]

1. A fresh database (a temporary SQLite file, or a new PostgreSQL database created from the
   URL and dropped at the end), migrated and seeded with a small fictitious city: the demo
   union tree, --members members each with an active 市民卡, --merchants merchants each with a
   contract (8.5折, caps) and one terminal key.
2. The production server as `make run` starts it: gunicorn, 2 workers × 4 threads, DEBUG off
   (no access log, so the figures are the application's, not the terminal's).
3. From this separate process, --concurrency threads (16), each a terminal with its own
   keep-alive connection (the reference client, `gonghui.pos.client`):
   - GET /healthz for --seconds: the baseline, same server, same concurrency;
   - quote + confirm pairs for --seconds. TIMED: one pair, from sending the quote to reading
     the confirm's answer (two signed requests); `confirms` counts pairs whose confirm
     answered 201, `confirm_rps` is that per second of the phase, p50/p99 are pair latencies.
     NOT TIMED: after --retry-rate (5 %) of the confirms the same confirm is sent again with
     the same Idempotency-Key; it must come back 201, marked `Idempotent-Replayed: true`, with
     the same transaction.
   Two seconds of each run first as warm-up and are not counted.
4. The ledger is checked in the database: `double_applied` counts transactions beyond one per
   answered confirm (a retry that wrote again), transactions without exactly one sale entry,
   and replays that named another transaction; the hash chains are verified.

Prints figures, then one JSON line: confirms, confirm_rps, p50_ms, p99_ms, healthz_rps, ratio
(confirm_rps / healthz_rps), double_applied."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, drop_database, fresh_database, run_phase, scratch_dir, setup_django

sys.path.insert(0, str(ROOT))
from gonghui.pos.client import PosClient  # standard library only, no Django

WARMUP_SECONDS = 2.0


# -- phases run in their own process (with Django) ---------------------------------------------


def phase_seed(members: int, merchants: int, seed: int, out: Path) -> dict[str, Any]:
    setup_django()
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from gonghui.cards.models import Card
    from gonghui.core.crypto import blind_index
    from gonghui.core.demo import build_tree
    from gonghui.members.demo import seed_members
    from gonghui.members.models import Member
    from gonghui.merchants import rules as merchant_rules
    from gonghui.merchants.models import Contract, Merchant, TerminalKey
    from gonghui.orgs.models import Union

    rng = random.Random(seed)
    with transaction.atomic():
        build_tree(rng)
    seed_members(rng, members=members)
    counties = list(Union.objects.filter(kind="county").order_by("code"))
    today = timezone.localdate()
    terminals = []
    for i in range(merchants):
        merchant = Merchant.objects.create(
            code=merchant_rules.code_for(80000 + i),
            name=f"鹤川压测会员餐厅{i + 1:02d}",
            category="food",
            district=counties[i % len(counties)],
            address=f"鹤川市人民路{i + 1}号",
            latitude=Decimal("34.750000"),
            longitude=Decimal("113.620000"),
            status="active",
        )
        Contract.objects.create(
            merchant=merchant,
            contract_no=f"{merchant.code}-BENCH",
            valid_from=today - timedelta(days=30),
            valid_to=today + timedelta(days=300),
            discount_kind="rate",
            discount_rate=Decimal("0.85"),
            per_txn_cap_fen=5000,
            per_member_day_cap_fen=100_000,
        )
        secret = merchant_rules.new_key_secret()
        key = TerminalKey.objects.create(
            merchant=merchant, key_id=merchant_rules.new_key_id(), secret=secret, label="压测"
        )
        terminals.append([key.key_id, secret])
    numbers = []
    batch = []
    for member_id in Member.objects.filter(status="active").values_list("id", flat=True):
        number = f"3101{member_id:012d}"
        numbers.append(number)
        batch.append(
            Card(
                member_id=member_id,
                status="active",
                citizen_card_no=number,
                citizen_index=blind_index(number, purpose="citizen_card"),
                citizen_last4=number[-4:],
                activated_at=timezone.now(),
            )
        )
    Card.objects.bulk_create(batch, batch_size=1000)
    out.write_text(json.dumps({"terminals": terminals, "cards": numbers}))
    return {"members": len(numbers), "merchants": len(terminals)}


def phase_check(answers: Path) -> dict[str, Any]:
    setup_django(migrate=False)
    from django.db.models import Sum

    from gonghui.pos import ledger
    from gonghui.pos.models import DayUsage, LedgerEntry, Transaction

    seen = json.loads(answers.read_text())
    answered = set(seen["ids"])
    transactions = Transaction.objects.count()
    unanswered = Transaction.objects.exclude(public_id__in=answered).count() if answered else 0
    without_one_entry = _entries_not_one(Transaction, LedgerEntry)
    discount = Transaction.objects.aggregate(s=Sum("discount_fen"))["s"] or 0
    used = DayUsage.objects.aggregate(s=Sum("discount_fen"))["s"] or 0
    broken = ledger.verify()
    return {
        "transactions": transactions,
        "answered": len(answered),
        "unanswered_transactions": unanswered,
        "transactions_without_one_sale_entry": without_one_entry,
        "ledger_entries": LedgerEntry.objects.count(),
        "day_usage_matches": discount == used,
        "ledger_ok": broken is None,
        "ledger_broken": broken.describe() if broken else "",
    }


def _entries_not_one(transaction_model: Any, entry_model: Any) -> int:
    """Transactions whose number of sale entries is not exactly one (LedgerEntry's reverse
    accessor is hidden, related_name "+", so count from the entries' side)."""
    from django.db.models import Count

    per_txn = dict(
        entry_model.objects.filter(kind="sale")
        .values("transaction_id")
        .annotate(n=Count("id"))
        .values_list("transaction_id", "n")
    )
    wrong = sum(1 for n in per_txn.values() if n != 1)
    missing = transaction_model.objects.exclude(pk__in=list(per_txn)).count()
    return wrong + missing


# -- the server --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gonghui.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--threads=4",
        ],
        cwd=ROOT,
        env=env | {"DEBUG": "0", "PYTHONUNBUFFERED": "1"},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not answer /healthz:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# -- CPU accounting (Linux /proc): where a phase's CPU went --------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        found.append((int(entry.name), int(fields.get("PPid", "0")), command))
    return found


def cpu_snapshot(server_pid: int, database: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far, per process: this one (the client), the server (master and
    workers) and the PostgreSQL backends serving the benchmark's database (none for SQLite,
    whose work is inside the server's)."""
    processes = _processes()
    own = os.times()
    return {
        "client": {os.getpid(): own.user + own.system},
        "server": {
            pid: _proc_cpu(pid)
            for pid, parent, _ in processes
            if pid == server_pid or parent == server_pid
        },
        "database": {
            pid: _proc_cpu(pid)
            for pid, _, command in processes
            if database and command.startswith("postgres:") and f" {database} " in command
        },
    }


def cpu_per_unit(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], units: int
) -> dict[str, float]:
    """Milliseconds of CPU per request or pair, by side (a process that ended in between is
    left out; one that started counts whole)."""
    return {
        side: sum(cpu - before[side].get(pid, 0.0) for pid, cpu in after[side].items())
        * 1000
        / max(units, 1)
        for side in after
    }


# -- load ----------------------------------------------------------------------------------------


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def _run_threads(concurrency: int, work: Any) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def drive_healthz(port: int, concurrency: int, seconds: float) -> dict[str, Any]:
    counts = [0] * concurrency
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures = Counter()
    start_at = time.monotonic() + 0.2
    stop_at = start_at + seconds

    def work(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            t = time.perf_counter()
            try:
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                failures["connection"] += 1
                continue
            if response.status != 200:
                failures[str(response.status)] += 1
                continue
            latencies[i].append((time.perf_counter() - t) * 1000)
            counts[i] += 1
        connection.close()

    _run_threads(concurrency, work)
    flat = [x for row in latencies for x in row]
    return {
        "requests": sum(counts),
        "rps": sum(counts) / seconds,
        "p50_ms": _pct(flat, 50),
        "p99_ms": _pct(flat, 99),
        "failures": dict(failures),
    }


def drive_pairs(
    url: str,
    terminals: list[list[str]],
    cards: list[str],
    concurrency: int,
    seconds: float,
    retry_rate: float,
    seed: int,
) -> dict[str, Any]:
    ids: list[set[str]] = [set() for _ in range(concurrency)]
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    quote_ms: list[list[float]] = [[] for _ in range(concurrency)]
    confirm_ms: list[list[float]] = [[] for _ in range(concurrency)]
    refusals: list[Counter[str]] = [Counter() for _ in range(concurrency)]
    retries = [0] * concurrency
    replay_mismatch = [0] * concurrency
    start_at = time.monotonic() + 0.2
    stop_at = start_at + seconds

    def work(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        key_id, secret = terminals[i % len(terminals)]
        client = PosClient(url, key_id, secret)
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            card = rng.choice(cards)
            amount = rng.randrange(500, 50_000)
            key = uuid.uuid4().hex
            t0 = time.perf_counter()
            quoted = client.request(
                "POST", "/api/v1/pos/quote", {"credential": card, "amount_fen": amount}
            )
            t1 = time.perf_counter()
            if quoted.status != 201:
                refusals[i][f"quote {quoted.status} {_code(quoted.body)}"] += 1
                continue
            confirmed = client.confirm_response(quoted.body["quote_id"], idempotency_key=key)
            t2 = time.perf_counter()
            if confirmed.status != 201:
                refusals[i][f"confirm {confirmed.status} {_code(confirmed.body)}"] += 1
                continue
            latencies[i].append((t2 - t0) * 1000)
            quote_ms[i].append((t1 - t0) * 1000)
            confirm_ms[i].append((t2 - t1) * 1000)
            ids[i].add(confirmed.body["id"])
            if rng.random() < retry_rate:
                again = client.confirm_response(quoted.body["quote_id"], idempotency_key=key)
                retries[i] += 1
                if (
                    again.status != 201
                    or not again.replayed
                    or again.body.get("id") != confirmed.body["id"]
                ):
                    replay_mismatch[i] += 1
        client.close()

    _run_threads(concurrency, work)
    flat = [x for row in latencies for x in row]
    total_refusals: Counter[str] = Counter()
    for row in refusals:
        total_refusals.update(row)
    return {
        "confirms": len(flat),
        "rps": len(flat) / seconds,
        "p50_ms": _pct(flat, 50),
        "p99_ms": _pct(flat, 99),
        "quote_p50_ms": _pct([x for row in quote_ms for x in row], 50),
        "confirm_p50_ms": _pct([x for row in confirm_ms for x in row], 50),
        "confirm_p99_ms": _pct([x for row in confirm_ms for x in row], 99),
        "retries": sum(retries),
        "replay_mismatch": sum(replay_mismatch),
        "refusals": dict(total_refusals),
        "ids": sorted(set().union(*ids)),
    }


def _code(body: Any) -> str:
    return str(body.get("code", "")) if isinstance(body, dict) else str(body)[:80]


# -- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--merchants", type=int, default=16)
    parser.add_argument("--retry-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phase", choices=["seed", "check"])
    parser.add_argument("--file", default="")
    args = parser.parse_args()
    if args.phase == "seed":
        result = phase_seed(args.members, args.merchants, args.seed, Path(args.file))
        print(json.dumps(result))
        return
    if args.phase == "check":
        print(json.dumps(phase_check(Path(args.file))))
        return

    work = scratch_dir("bench-pos-")
    env = fresh_database(args.database_url or None, work, "pos")
    server = None
    try:
        credentials = work / "credentials.json"
        seeded = run_phase(
            Path(__file__),
            "seed",
            env,
            "--members",
            str(args.members),
            "--merchants",
            str(args.merchants),
            "--seed",
            str(args.seed),
            "--file",
            str(credentials),
        )
        data = json.loads(credentials.read_text())
        port = _free_port()
        server = start_server(env, port, work / "server.log")
        url = f"http://127.0.0.1:{port}"
        drive_healthz(port, args.concurrency, WARMUP_SECONDS)
        warm = drive_pairs(
            url, data["terminals"], data["cards"], args.concurrency, WARMUP_SECONDS, 0, 999
        )
        database = env.get("BENCH_DROP_DATABASE", "")
        cpu_start = cpu_snapshot(server.pid, database)
        healthz = drive_healthz(port, args.concurrency, args.seconds)
        cpu_mid = cpu_snapshot(server.pid, database)
        pairs = drive_pairs(
            url,
            data["terminals"],
            data["cards"],
            args.concurrency,
            args.seconds,
            args.retry_rate,
            args.seed,
        )
        cpu_end = cpu_snapshot(server.pid, database)
        stop_server(server)
        server = None
        answers = work / "answers.json"
        answers.write_text(json.dumps({"ids": warm["ids"] + pairs["ids"]}))
        checked = run_phase(Path(__file__), "check", env, "--file", str(answers))
    finally:
        if server is not None:
            stop_server(server)
        drop_database(env)

    double_applied = (
        checked["unanswered_transactions"]
        + checked["transactions_without_one_sale_entry"]
        + pairs["replay_mismatch"]
    )
    print(f"database: {'postgresql' if args.database_url else 'sqlite'}")
    print(f"cpus: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"seeded: {seeded['members']} members with cards, {seeded['merchants']} merchants")
    print(
        f"healthz: {healthz['requests']} requests, {healthz['rps']:.1f}/s, "
        f"p50 {healthz['p50_ms']:.1f} ms, p99 {healthz['p99_ms']:.1f} ms, "
        f"failures {healthz['failures']}"
    )
    print(
        f"quote+confirm pairs: {pairs['confirms']}, {pairs['rps']:.1f}/s, "
        f"p50 {pairs['p50_ms']:.1f} ms, p99 {pairs['p99_ms']:.1f} ms "
        f"(quote p50 {pairs['quote_p50_ms']:.1f} ms, confirm p50 {pairs['confirm_p50_ms']:.1f} ms, "
        f"confirm p99 {pairs['confirm_p99_ms']:.1f} ms)"
    )
    healthz_cpu = cpu_per_unit(cpu_start, cpu_mid, healthz["requests"])
    pair_cpu = cpu_per_unit(cpu_mid, cpu_end, pairs["confirms"] + pairs["retries"])
    for label, cpu in (("healthz request", healthz_cpu), ("pair", pair_cpu)):
        print(
            f"CPU per {label}: client {cpu['client']:.2f} ms, server {cpu['server']:.2f} ms, "
            f"database {cpu['database']:.2f} ms"
        )
    print(
        f"retries with the same key: {pairs['retries']}, replay mismatches "
        f"{pairs['replay_mismatch']}; refusals {pairs['refusals']}"
    )
    print(
        f"ledger: {checked['transactions']} transactions, {checked['ledger_entries']} entries, "
        f"chains {'intact' if checked['ledger_ok'] else 'BROKEN ' + checked['ledger_broken']}, "
        f"day usage {'matches' if checked['day_usage_matches'] else 'DOES NOT MATCH'}"
    )
    print(
        json.dumps(
            {
                "confirms": pairs["confirms"],
                "confirm_rps": round(pairs["rps"], 1),
                "p50_ms": round(pairs["p50_ms"], 1),
                "p99_ms": round(pairs["p99_ms"], 1),
                "healthz_rps": round(healthz["rps"], 1),
                "ratio": round(pairs["rps"] / healthz["rps"], 3) if healthz["rps"] else 0,
                "double_applied": double_applied,
            }
        )
    )


if __name__ == "__main__":
    main()
