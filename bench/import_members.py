"""Benchmark: import a messy-but-valid roster of --rows rows through the CLI's own code.

In the same run it measures the floor (read the same file with python-calamine and write the raw
cells into a plain table: executemany on SQLite, COPY on PostgreSQL, no validation) and the peer
(django-import-export's bulk path on the first --peer-rows rows, into the same model).
Each phase runs in its own process against its own new database. Prints figures, then one JSON
object as the last line."""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    drop_database,
    fresh_database,
    peak_rss_mb,
    run_phase,
    scratch_dir,
    setup_django,
)

HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "手机号码",
    "民族",
    "文化程度",
    "入会时间",
    "职工类别",
]
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def messy_rows(rows: int, seed: int):
    """Valid people written the way real rosters look: lowercase x, full-width digits, spaces,
    15-digit IDs, text and serial dates, phones as numbers."""
    from gonghui.members.demo import people

    rng = random.Random(seed)
    for i, p in enumerate(people(rng, rows), start=1):
        id_number = p["id_number"]
        roll = rng.random()
        if roll < 0.05 and id_number[6:8] == "19":
            id_number = id_number[:6] + id_number[8:17]  # the old 15-digit form
        elif roll < 0.10:
            id_number = id_number.lower()
        elif roll < 0.13:
            id_number = "".join(FULLWIDTH.get(c, c) for c in id_number)
        elif roll < 0.16:
            id_number = f" {id_number[:6]} {id_number[6:]} "
        joined = p["join_date"]
        joined_cell = (
            joined
            if roll < 0.5
            else rng.choice(
                [
                    f"{joined.year}/{joined.month}/{joined.day}",
                    f"{joined:%Y.%m.%d}",
                    f"{joined.year}年{joined.month}月{joined.day}日",
                ]
            )
        )
        phone = int(p["phone"]) if rng.random() < 0.3 else p["phone"]
        gender = "男" if p["gender"] == "M" else "女"
        education = {
            "junior": "初中",
            "senior": "高中",
            "college": "大专",
            "bachelor": "本科",
            "master": "研究生",
            "": "",
        }[p["education"]]
        category = {
            "employee": "职工",
            "migrant": "农民工",
            "courier": "快递员",
            "rider": "外卖送餐员",
            "ride_hailing": "网约车司机",
            "truck_driver": "货车司机",
            "domestic": "家政服务员",
        }[p["category"]]
        yield [
            i,
            p["name"],
            gender,
            id_number,
            phone,
            p["ethnicity"],
            education,
            joined_cell,
            category,
        ]


def generate(path: Path, rows: int, seed: int, csv_path: Path | None, csv_rows: int) -> None:
    import csv

    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("名册")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "鹤川市某企业工会会员名册")
    sheet.write_row(1, 0, HEADER)
    csv_file = open(csv_path, "w", newline="", encoding="utf-8") if csv_path else None  # noqa: SIM115
    writer = csv.writer(csv_file) if csv_file else None
    if writer:
        writer.writerow(
            [
                "name",
                "gender",
                "id_number",
                "phone",
                "ethnicity",
                "education",
                "join_date",
                "category",
            ]
        )
    for r, row in enumerate(messy_rows(rows, seed), start=2):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write(r, c, value)
        if writer and r - 1 <= csv_rows:
            writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row[1:]])
    workbook.close()
    if csv_file:
        csv_file.close()


def phase_import(path: Path) -> dict:
    setup_django()
    from gonghui.core.demo import build_tree
    from gonghui.members.importer import RosterImport
    from gonghui.orgs.models import Union

    build_tree(random.Random(1))
    union = Union.objects.get(code="D01E001")
    started = time.perf_counter()
    summary = RosterImport(by=None, path=path, union=union).run()
    seconds = time.perf_counter() - started
    assert summary.written and summary.errors == 0, summary.error_rows[:5]
    return {"rows": summary.created, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def phase_floor(path: Path) -> dict:
    setup_django(migrate=False)
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE floor_rows (a text, b text, c text, d text, e text, f text, g text, h text, i text)"
        )
    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.iter_rows()
    next(rows), next(rows)
    count = 0
    # One transaction, as any bulk load would: in autocommit SQLite commits every row.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY floor_rows FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([str(v) for v in row[:9]])
                    count += 1
        else:
            batch = []
            for row in rows:
                batch.append([str(v) for v in row[:9]])
                if len(batch) >= 5000:
                    cursor.executemany(
                        "INSERT INTO floor_rows VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", batch
                    )
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(
                    "INSERT INTO floor_rows VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", batch
                )
                count += len(batch)
    return {"rows": count, "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def phase_peer(csv_path: Path) -> dict:
    setup_django()
    import tablib
    from import_export import fields, resources

    from gonghui.core import idnumbers
    from gonghui.core.demo import build_tree
    from gonghui.members import rules, services
    from gonghui.members.models import Member
    from gonghui.orgs.models import Union

    build_tree(random.Random(1))
    union = Union.objects.get(code="D01E001")

    class MemberResource(resources.ModelResource):
        id_index = fields.Field(attribute="id_index", column_name="id_index")

        class Meta:
            model = Member
            fields = ("name", "id_number", "phone", "ethnicity", "category", "id_index")
            import_id_fields = ("id_index",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True

        def before_import_row(self, row, **kwargs):
            parsed = idnumbers.parse(row["id_number"])
            row["id_number"] = parsed.value
            row["id_index"] = services.id_index(parsed.value)
            row["phone"] = rules.parse_phone(row["phone"])
            row["category"] = rules.parse_category(row["category"])

        def before_save_instance(self, instance, row, **kwargs):
            parsed = idnumbers.parse(instance.id_number)
            instance.gender, instance.birth_date = parsed.gender, parsed.birth_date
            instance.name_pinyin, instance.name_initials = rules.name_pinyin(instance.name)
            instance.id_last4 = parsed.value[-4:]
            instance.phone_index = services.phone_index(instance.phone)
            instance.phone_last4 = instance.phone[-4:]
            instance.union = union
            instance.member_no = services.allocate_numbers(1)[0]

    dataset = tablib.Dataset().load(csv_path.read_text(encoding="utf-8"), format="csv")
    dataset.append_col([""] * len(dataset), header="id_index")
    started = time.perf_counter()
    result = MemberResource().import_data(dataset, raise_errors=True)
    seconds = time.perf_counter() - started
    return {"rows": result.totals["new"], "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer-rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--phase", choices=["import", "floor", "peer"])
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.phase:
        result = {"import": phase_import, "floor": phase_floor, "peer": phase_peer}[args.phase](
            args.file
        )
        print(json.dumps(result))
        return

    work = scratch_dir("bench-import-")
    setup_django(migrate=False)
    xlsx, csv_path = work / "roster.xlsx", work / "peer.csv"
    started = time.perf_counter()
    generate(xlsx, args.rows, args.seed, csv_path if args.peer_rows else None, args.peer_rows)
    print(
        f"generated {args.rows} rows in {time.perf_counter() - started:.1f}s ({xlsx.stat().st_size / 1e6:.1f} MB)"
    )
    database = "postgresql" if args.database_url else "sqlite"
    results = {}
    for phase, file in [("floor", xlsx), ("import", xlsx)] + (
        [("peer", csv_path)] if args.peer_rows else []
    ):
        env = fresh_database(args.database_url or None, work, phase)
        try:
            results[phase] = run_phase(Path(__file__), phase, env, "--file", str(file))
        finally:
            drop_database(env)
        r = results[phase]
        print(
            f"{phase:>6}: {r['rows']} rows in {r['seconds']:.2f}s = {r['rows'] / r['seconds']:,.0f} rows/s, peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    imp, floor = results["import"], results["floor"]
    summary = {
        "database": database,
        "rows": imp["rows"],
        "seconds": round(imp["seconds"], 2),
        "rows_per_s": round(imp["rows"] / imp["seconds"]),
        "peak_rss_mb": round(imp["peak_rss_mb"]),
        "floor_seconds": round(floor["seconds"], 2),
        "floor_peak_rss_mb": round(floor["peak_rss_mb"]),
        "ratio_vs_floor": round(imp["seconds"] / floor["seconds"], 2),
        "rss_ratio_vs_floor": round(imp["peak_rss_mb"] / floor["peak_rss_mb"], 2),
        "peer_rows": 0,
        "peer_rows_per_s": None,
        "speedup_vs_peer": None,
    }
    if "peer" in results:
        peer = results["peer"]
        peer_rate = peer["rows"] / peer["seconds"]
        summary |= {
            "peer_rows": peer["rows"],
            "peer_rows_per_s": round(peer_rate),
            "speedup_vs_peer": round(summary["rows_per_s"] / peer_rate, 1),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
