"""A generated organisation in Germany as import files (tests and benchmarks/import_org.py).

Three regions under a headquarters (Berlin, Munich, Hamburg; Europe/Berlin), engineers with
a Monday-to-Friday shift, customers with sites and assets around their region's city, one
VIP customer (one site) with a dedicated engineer, tickets for one day and absences. Names carry
umlauts and Chinese characters so a round trip shows text survives unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
CITIES = {
    "BER": ("Berlin", 52.5200, 13.4050),
    "MUC": ("München", 48.1372, 11.5756),
    "HAM": ("Hamburg", 53.5511, 9.9937),
}
COLUMNS = {
    "regions": "code,name,parent,timezone,manager_name,manager_email",
    "engineers": "code,name,region,level,skills,home_lat,home_lon,shift_days,shift_start,"
    "shift_end,break_minutes,break_earliest,break_latest,max_jobs_per_day,"
    "max_work_minutes_per_day,parts_capacity,employment,cost_per_job,"
    "certification_valid_until,phone,email",
    "customers": "code,name,tier,region,contact_name,contact_phone,contact_email,"
    "dedicated_engineer",
    "sites": "code,customer,name,address,lat,lon,region",
    "assets": "serial,site,equipment_type,model,install_date,warranty_end",
    "tickets": "external_ref,customer,site,asset_serial,kind,priority,estimated_minutes,"
    "required_skill,min_level,window_start,window_end,symptoms,reported_at,preferred_engineer",
    "absences": "engineer,start,end,reason",
}


def csv_bytes(header: str, rows: Iterable[Sequence[object]], bom: bool = False) -> bytes:
    """A CSV file (UTF-8, optionally with the BOM Excel writes)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def _near(rng: random.Random, code: str, spread: float = 0.08) -> tuple[float, float]:
    _name, lat, lon = CITIES[code]
    return round(lat + rng.uniform(-spread, spread), 5), round(
        lon + rng.uniform(-spread, spread), 5
    )


def engineer_rows(count: int, rng: random.Random) -> list[list[object]]:
    """``count`` engineers spread over the three regions."""
    rows = []
    for n in range(count):
        region = list(CITIES)[n % 3]
        lat, lon = _near(rng, region)
        skills = "hvac:3;lift:2" if n % 2 == 0 else "hvac:2;lift:3"
        rows.append(
            [
                f"E{n:05d}",
                f"Techniker {n} 王{n}",
                region,
                ("junior", "mid", "senior")[n % 3],
                skills,
                lat,
                lon,
                "mon-fri",
                "08:00",
                "17:00",
                30,
                "11:30",
                "13:30",
                8,
                480,
                "",
                "employee",
                "0.00",
                "2099-12-31",
                f"+49 30 {n:07d}",
                f"e{n}@example.de",
            ]
        )
    return rows


def organisation(
    *, engineers: int = 9, sites: int = 12, tickets_day: dt.date | None = None, seed: int = 1
) -> dict[str, bytes]:
    """The files of a generated organisation (tickets and absences when ``tickets_day``)."""
    rng = random.Random(seed)
    regions = [["DE", "Kundendienst Deutschland", "", "Europe/Berlin", "Anna Groß", ""]] + [
        [code, f"Region {name} 区域", "DE", "Europe/Berlin", f"Leiter {code}", f"{code}@example.de"]
        for code, (name, _lat, _lon) in CITIES.items()
    ]
    customer_count = max(1, sites // 4)
    customers = [
        [
            f"K{n:05d}",
            f"Kunde {n} 客户",
            "vip" if n == 0 else "standard",
            list(CITIES)[n % 3],
            f"Frau Müller {n}",
            "",
            "",
            "E00000" if n == 0 else "",
        ]
        for n in range(customer_count)
    ]
    site_rows, asset_rows = [], []
    for n in range(sites):
        # the VIP (customer 0) has one site, the others share the rest
        others = customer_count - 1
        customer = customers[0 if n == 0 or not others else 1 + (n - 1) % others]
        region = str(customer[3])
        lat, lon = _near(rng, region)
        site_rows.append(
            [
                f"S{n:06d}",
                customer[0],
                f"Standort {n}",
                f"Hauptstraße {n}, 北京路{n}号",
                lat,
                lon,
                region,
            ]
        )
        asset_rows.append(
            [
                f"SN{n:06d}",
                f"S{n:06d}",
                "hvac" if n % 2 == 0 else "lift",
                f"Modell-{n % 5}",
                "2020-01-15",
                "2030-01-15",
            ]
        )
    files = {
        "regions.csv": csv_bytes(COLUMNS["regions"], regions),
        "engineers.csv": csv_bytes(COLUMNS["engineers"], engineer_rows(engineers, rng)),
        "customers.csv": csv_bytes(COLUMNS["customers"], customers),
        "sites.csv": csv_bytes(COLUMNS["sites"], site_rows),
        "assets.csv": csv_bytes(COLUMNS["assets"], asset_rows),
    }
    if tickets_day is not None:
        files["tickets.csv"] = csv_bytes(COLUMNS["tickets"], ticket_rows(site_rows, tickets_day))
        files["absences.csv"] = csv_bytes(COLUMNS["absences"], absence_rows(tickets_day))
    return files


def ticket_rows(sites: list[list[object]], day: dt.date) -> list[list[object]]:
    """One repair per site, reported the evening before, windows spread over the day."""
    reported = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(18), BERLIN)
    rows = []
    for n, site in enumerate(sites):
        start = dt.datetime.combine(day, dt.time(8 + n % 8), BERLIN)
        rows.append(
            [
                f"EXT-{n:05d}",
                site[1],
                site[0],
                f"SN{n:06d}",
                "repair",
                3,
                45,
                "",
                1,
                start.isoformat(),
                (start + dt.timedelta(hours=3)).isoformat(),
                f"Störung {n}: 空调不制冷",
                reported.isoformat(),
                "",
            ]
        )
    return rows


def absence_rows(day: dt.date) -> list[list[object]]:
    """E00001 away all day (sick); E00002 away from 12:00 local (training)."""
    midnight = dt.datetime.combine(day, dt.time(0), BERLIN)
    noon = dt.datetime.combine(day, dt.time(12), BERLIN)
    return [
        ["E00001", midnight.isoformat(), (midnight + dt.timedelta(days=1)).isoformat(), "sick"],
        ["E00002", noon.isoformat(), (midnight + dt.timedelta(days=1)).isoformat(), "training"],
    ]


def replace_cell(data: bytes, row: int, column: str, value: str) -> bytes:
    """``data`` (a CSV) with the cell at line ``row`` (header = 1) and ``column`` replaced."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    lines[row - 1][lines[0].index(column)] = value
    return csv_bytes(",".join(lines[0]), lines[1:])


def drop_column(data: bytes, column: str) -> bytes:
    """``data`` (a CSV) without ``column``."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    at = lines[0].index(column)
    return csv_bytes(
        ",".join(c for c in lines[0] if c != column), [r[:at] + r[at + 1 :] for r in lines[1:]]
    )


def add_column(data: bytes, column: str, value: str) -> bytes:
    """``data`` (a CSV) with one more column."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return csv_bytes(",".join([*lines[0], column]), [[*r, value] for r in lines[1:]])


def duplicate_row(data: bytes, row: int) -> bytes:
    """``data`` (a CSV) with line ``row`` repeated at the end."""
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return csv_bytes(",".join(lines[0]), [*lines[1:], lines[row - 1]])


BAD_ROWS = {
    # case: (file, how to spoil it, row, column)
    "skill level out of range": (
        "engineers.csv",
        lambda d: replace_cell(d, 3, "skills", "hvac:4"),
        3,
        "skills",
    ),
    "latitude 200": ("sites.csv", lambda d: replace_cell(d, 4, "lat", "200"), 4, "lat"),
    "duplicate code": ("customers.csv", lambda d: duplicate_row(d, 2), 5, "code"),
    "unknown region": ("sites.csv", lambda d: replace_cell(d, 2, "region", "XXX"), 2, "region"),
    "bad instant": (
        "absences.csv",
        lambda d: replace_cell(d, 3, "start", "2026-11-24 noon"),
        3,
        "start",
    ),
    "missing column": ("sites.csv", lambda d: drop_column(d, "lon"), 1, "lon"),
    "extra column": ("regions.csv", lambda d: add_column(d, "colour", "blue"), 1, "colour"),
}
"""Each kind of bad row the import must name (the organisation has 3 customers: duplicate = row 5)."""


def spoiled(files: dict[str, bytes], case: str) -> dict[str, bytes]:
    """The organisation's ``files`` with the bad row of ``case``."""
    name, spoil, _row, _column = BAD_ROWS[case]
    return {**files, name: spoil(files[name])}


def xlsx_bytes(data: bytes) -> bytes:
    """A CSV file as a one-sheet workbook (numbers as numbers, like Excel would keep them)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        sheet.append([_typed(cell) for cell in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(cell: str) -> object:
    try:
        return (
            int(cell)
            if cell.lstrip("-").isdigit() and not cell.startswith("0")
            else float(cell)
            if "." in cell and cell.replace(".", "", 1).lstrip("-").isdigit()
            else cell
        )
    except ValueError:
        return cell
