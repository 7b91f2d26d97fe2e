"""A generated organisation in Germany as import files (tests and benchmarks/import_org.py).

Three regions under a headquarters (Berlin, Munich, Hamburg; Europe/Berlin), engineers with
a Monday-to-Friday shift, customers with sites and assets around their region's city, one
VIP customer with a dedicated engineer, tickets for one day and absences. Names carry
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
        customer = customers[n % customer_count]
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
