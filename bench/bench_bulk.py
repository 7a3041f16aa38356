"""Bulk quoting end to end: a 100,000-row client list .xlsx in, the results workbook out.

    .venv/bin/python bench/bench_bulk.py [--clients 100000] [--regenerate] [--no-stages] [--no-profile]

1. Generates the client list once (Japanese template headers, XlsxWriter constant_memory) and caches
   it under /tmp/quote-aggregator-bench/ so reruns skip that.
2. In a child process: times run_bulk(rater, source, target, as_of) (carriers loaded before the
   clock starts) and reads the child's peak RSS (getrusage RUSAGE_SELF in the child, and
   RUSAGE_CHILDREN in this process as a check).
3. In a second child: the baseline — pandas read_excel(engine="calamine") of the same input, plus
   writing the same number of rows × columns with XlsxWriter constant_memory (rows = the lines asked,
   columns = len(result_header()); cells typed like the real sheet: text where it has text, numbers
   where it has numbers, blanks where a carrier does not sell the line).
4. In a third child: run_bulk's stages called one by one (load_client_list, rate_in_chunks,
   write_results), with read_table and the column gathering (bulkbook._columns) timed on their own.
Targets: run_bulk ≤ 1.3 × baseline; peak memory of run_bulk < 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from benchdata import AS_OF, SEED, conditions, generate, load_rater, say, table, verdict

from aggregator.contract import QUESTIONS
from aggregator.rating import CONTRACT_TYPES, CONTROLS, INDUSTRIES, KEYS, LINES
from aggregator.schema import CONTRACT_TYPE_NAMES, CONTROL_NAMES, INDUSTRY_NAMES, Carrier, Line
from aggregator.taxonomy import KEY_INFO

CACHE = Path(os.environ.get("BENCH_CACHE", "/tmp/quote-aggregator-bench"))
FORMAT_VERSION = 2  # bump when the generated list changes shape
TARGET_RATIO = 1.3
TARGET_PEAK_BYTES = 1 << 30
LINE_JA = {Line.CYBER: "サイバー保険", Line.IT_EO: "IT業務過誤賠償責任保険", Line.PROFESSIONAL_LIABILITY: "専門職業賠償責任保険"}


# ------------------------------------------------------------------ input ---


def client_list(n: int, regenerate: bool) -> tuple[Path, float | None]:
    """The cached client list for n clients, written first if needed; returns its path and the write time."""
    path = CACHE / f"clients_{n}_seed{SEED}_v{FORMAT_VERSION}.xlsx"
    if path.is_file() and not regenerate:
        return path, None
    CACHE.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_client_list(path, n)
    return path, time.perf_counter() - start


def write_client_list(path: Path, n: int) -> None:
    import xlsxwriter

    from aggregator.bulkbook import template_rows

    headers, _ = template_rows("円")
    rater = load_rater()
    pop = generate(n, rater.rider_keys)
    industry = [INDUSTRY_NAMES[i][0] for i in INDUSTRIES]
    contract = [CONTRACT_TYPE_NAMES[c][0] for c in CONTRACT_TYPES]
    line_ja = [LINE_JA[line] for line in LINES]
    rider_ja = [KEY_INFO[k].label_ja for k in KEYS]
    control_col = {CONTROL_NAMES[c][0]: i for i, c in enumerate(CONTROLS)}
    columns: dict[str, list[Any]] = {
        "会社名": [f"株式会社ベンチ{i:06d}" for i in range(n)],
        "業種": [industry[i] for i in pop.industry.tolist()],
        "売上高(円)": pop.annual_revenue_jpy.tolist(),
        "従業員数": pop.employees.tolist(),
        "保有個人情報件数": pop.records_held.tolist(),
        "サーバー台数": pop.servers.tolist(),
        "最大契約金額(円)": pop.largest_contract_jpy.tolist(),
        "契約形態": [contract[c] for c in pop.contract_type.tolist()],
        "過去3年の事故件数": pop.incidents_3y.tolist(),
        "希望種目": ["、".join(line_ja[j] for j in np.flatnonzero(row)) for row in pop.lines],
        "支払限度額(円)": pop.limit_jpy.tolist(),
        "免責金額(円)": pop.deductible_jpy.tolist(),
        "特約": ["、".join(rider_ja[k] for k in np.flatnonzero(row)) for row in pop.riders],
        "メールアドレス": [f"info{i:06d}@example.co.jp" for i in range(n)],
    }
    for name, c in control_col.items():
        columns[name] = ["○" if v else "×" for v in pop.controls[:, c].tolist()]
    for q in QUESTIONS:  # the contract check: left blank (unknown), as most lists will
        columns[q.short_ja] = [""] * n
    missing = [h for h in headers if h not in columns]
    if missing:
        raise SystemExit(f"the template has columns this generator does not fill: {missing}")
    tmp = path.with_name(path.name + ".part")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet("顧客リスト")
    ws.write_row(0, 0, headers)
    for r, row in enumerate(zip(*(columns[h] for h in headers), strict=True), start=1):
        ws.write_row(r, 0, [v if v != "" else None for v in row])
    book.close()
    tmp.replace(path)


# ---------------------------------------------------------------- children ---


def child_run_bulk(source: Path, target: Path) -> dict[str, Any]:
    from aggregator.bulk import run_bulk

    rater = load_rater()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    start = time.perf_counter()
    summary = run_bulk(rater, source, target, AS_OF)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "seconds": seconds,
        "peak_bytes": peak,
        "peak_before_bytes": before,
        "clients": summary.clients,
        "rows": summary.quoted_rows,
        "bad_rows": summary.bad_rows,
        "sheets": summary.sheets,
    }


def child_baseline(source: Path, target: Path, rows: int) -> dict[str, Any]:
    import pandas as pd
    import xlsxwriter

    from aggregator.bulkbook import market, result_header

    rater = load_rater()
    header = result_header(market(rater))
    sells = {(s.plan.carrier, s.plan.line) for s in rater.slots}
    templates = []
    for line in LINES:
        row: list[Any] = [0, "株式会社ベンチ000000", LINE_JA[line], 100_000_000, 100_000]
        for carrier in Carrier:
            row += (
                ["見積可", "プラン", 1_234_500, 100_000_000, 100_000] if (carrier, line) in sells else ["取扱なし", None, None, None, None]
            )
        templates.append([*row, "AIG損保", "プラン", 1_234_500, None, "上限の定めがあるか分からない", "要確認: 賠償の上限"])
    assert all(len(t) == len(header) for t in templates)

    start = time.perf_counter()
    frame = pd.read_excel(source, engine="calamine", header=None, dtype=object)
    read_s = time.perf_counter() - start
    # the (client, line) pairs in the same order as the results sheet, from the lines column as read
    line_codes = {name: j for j, name in enumerate(LINE_JA[line] for line in LINES)}
    head = [str(v) for v in frame.iloc[0]]
    asked = frame.iloc[1:, head.index("希望種目")].tolist()
    pairs = [(i, line_codes[part]) for i, cell in enumerate(asked) for part in str(cell).split("、")]
    if len(pairs) != rows:
        raise SystemExit(f"baseline: {len(pairs)} (client, line) pairs in the input but run_bulk wrote {rows} rows")
    companies = frame.iloc[1:, 0].tolist()
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet("baseline")
    ws.write_row(0, 0, header)
    for r, (i, j) in enumerate(pairs, start=1):
        row = templates[j]
        row[0] = i + 2
        row[1] = companies[i]
        ws.write_row(r, 0, row)
    book.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "read_seconds": read_s, "write_seconds": seconds - read_s, "rows": len(pairs), "columns": len(header)}


def child_stages(source: Path, target: Path) -> dict[str, Any]:
    from aggregator import bulkbook
    from aggregator.bulk import rate_in_chunks
    from aggregator.clientlist import load_client_list, read_table

    rater = load_rater()
    sample = any(d.sample for d in rater.carriers)
    out: dict[str, Any] = {}
    start = time.perf_counter()
    read_table(source)
    out["read_table"] = time.perf_counter() - start
    start = time.perf_counter()
    clients = load_client_list(source)
    out["load_client_list"] = time.perf_counter() - start
    start = time.perf_counter()
    result = rate_in_chunks(rater, clients.batch, AS_OF)
    out["rate_in_chunks"] = time.perf_counter() - start
    start = time.perf_counter()
    bulkbook._columns(rater, clients, result)
    out["_columns"] = time.perf_counter() - start
    start = time.perf_counter()
    bulkbook.write_results(target, rater, clients, result, as_of=AS_OF, sample=sample, max_rows_per_sheet=bulkbook_max_rows())
    out["write_results"] = time.perf_counter() - start
    return out


def child_profile(source: Path, target: Path, stage: str) -> dict[str, Any]:
    import cProfile
    import io
    import pstats

    from aggregator import bulkbook
    from aggregator.bulk import rate_in_chunks
    from aggregator.clientlist import load_client_list

    rater = load_rater()
    prof = cProfile.Profile()
    if stage == "load_client_list":
        prof.enable()
        load_client_list(source)
        prof.disable()
    else:
        clients = load_client_list(source)
        result = rate_in_chunks(rater, clients.batch, AS_OF)
        prof.enable()
        bulkbook.write_results(target, rater, clients, result, as_of=AS_OF, sample=True, max_rows_per_sheet=bulkbook_max_rows())
        prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).strip_dirs().sort_stats("tottime").print_stats(12)
    return {"profile": text.getvalue()}


def bulkbook_max_rows() -> int:
    from aggregator.bulk import EXCEL_MAX_ROWS

    return EXCEL_MAX_ROWS


def spawn(mode: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"child {mode} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def sheet_dimensions(path: Path) -> tuple[int, int]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = book["一括見積結果"]
        return int(ws.max_row or 0), int(ws.max_column or 0)
    finally:
        book.close()


# -------------------------------------------------------------------- main ---


def gib(n: float) -> str:
    return f"{n / (1 << 30):.2f} GiB ({n / (1 << 20):,.0f} MiB)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true", help="rewrite the cached client list")
    parser.add_argument("--no-stages", action="store_true", help="skip the stage-by-stage run")
    parser.add_argument("--no-profile", action="store_true", help="skip cProfile of the slowest stage when the target is missed")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds at toy sizes, every path run (the tests use it so the benchmark cannot rot); its figures mean nothing",
    )
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.no_stages, args.no_profile = 200, False, False
    if args.child:
        mode, *rest = args.child
        handlers = {
            "run_bulk": lambda: child_run_bulk(Path(rest[0]), Path(rest[1])),
            "baseline": lambda: child_baseline(Path(rest[0]), Path(rest[1]), int(rest[2])),
            "stages": lambda: child_stages(Path(rest[0]), Path(rest[1])),
            "profile": lambda: child_profile(Path(rest[0]), Path(rest[1]), rest[2]),
        }
        print(json.dumps(handlers[mode]()))
        return 0

    say(f"bench_bulk: {conditions()}")
    source, written = client_list(args.clients, args.regenerate)
    size = source.stat().st_size
    how = f"generated in {written:.1f} s" if written is not None else "cached"
    say(f"input: {source} ({args.clients:,} clients, {size / (1 << 20):.1f} MiB, {how})")
    out_dir = CACHE / f"out_{os.getpid()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        return measure(args, source, out_dir)
    finally:
        for f in out_dir.iterdir():
            f.unlink()
        out_dir.rmdir()


def measure(args: argparse.Namespace, source: Path, out_dir: Path) -> int:
    from aggregator.bulkbook import market, result_header

    columns = len(result_header(market(load_rater())))
    target = out_dir / "results.xlsx"
    bulk = spawn("run_bulk", str(source), str(target))
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # only the run_bulk child so far
    rows, cols = sheet_dimensions(target)
    header_rows = 3
    if (rows - header_rows, cols) != (bulk["rows"], columns):
        raise SystemExit(f"results sheet is {rows}×{cols}, expected {bulk['rows'] + header_rows}×{columns}")
    out_size = target.stat().st_size
    target.unlink()
    base = spawn("baseline", str(source), str(out_dir / "baseline.xlsx"), str(bulk["rows"]))
    ratio = bulk["seconds"] / base["seconds"]

    say(
        f"output: {bulk['clients']:,} clients quoted, {bulk['bad_rows']} bad rows, {bulk['rows']:,} result rows × {cols} columns "
        f"= {bulk['rows'] * cols:,} cells on {bulk['sheets']} sheet(s), {out_size / (1 << 20):.1f} MiB"
    )
    say()
    say(
        table(
            [
                ["run_bulk (read, validate, rate, write)", f"{bulk['seconds']:.2f}", f"{bulk['clients'] / bulk['seconds']:,.0f}"],
                ["baseline: read_excel(calamine) + XlsxWriter", f"{base['seconds']:.2f}", f"{bulk['clients'] / base['seconds']:,.0f}"],
                ["  baseline read", f"{base['read_seconds']:.2f}", ""],
                [f"  baseline write {base['rows']:,} × {base['columns']} cells", f"{base['write_seconds']:.2f}", ""],
            ],
            ["run", "s", "clients/s"],
        )
    )
    say()
    say(f"run_bulk / baseline = {ratio:.2f} (target ≤ {TARGET_RATIO}): {verdict(ratio <= TARGET_RATIO)}")
    peak = bulk["peak_bytes"]
    say(
        f"peak RSS of the run_bulk process = {gib(peak)} (target < 1 GiB): {verdict(peak < TARGET_PEAK_BYTES)}; "
        f"{gib(bulk['peak_before_bytes'])} of it before run_bulk (interpreter, numpy/pandas, carriers); "
        f"RUSAGE_CHILDREN says {gib(children_peak)}"
    )
    if args.no_stages:
        return 0
    stages = spawn("stages", str(source), str(out_dir / "stages.xlsx"))
    total = stages["load_client_list"] + stages["rate_in_chunks"] + stages["write_results"]
    say()
    say("run_bulk stage by stage (called one by one in a third process; sub-stages timed on their own, not part of the sum):")
    say(
        table(
            [
                ["load_client_list", f"{stages['load_client_list']:.2f}", f"{stages['load_client_list'] / total:.0%}"],
                ["  read_table (pandas read_excel, calamine)", f"{stages['read_table']:.2f}", f"{stages['read_table'] / total:.0%}"],
                [
                    "  validation and parsing (difference)",
                    f"{stages['load_client_list'] - stages['read_table']:.2f}",
                    f"{(stages['load_client_list'] - stages['read_table']) / total:.0%}",
                ],
                ["rate_in_chunks", f"{stages['rate_in_chunks']:.2f}", f"{stages['rate_in_chunks'] / total:.0%}"],
                ["write_results", f"{stages['write_results']:.2f}", f"{stages['write_results'] / total:.0%}"],
                ["  bulkbook._columns (gather to lists)", f"{stages['_columns']:.2f}", f"{stages['_columns'] / total:.0%}"],
                [
                    "  XlsxWriter rows, sheets, close (difference)",
                    f"{stages['write_results'] - stages['_columns']:.2f}",
                    f"{(stages['write_results'] - stages['_columns']) / total:.0%}",
                ],
                ["sum of the three stages", f"{total:.2f}", "100%"],
            ],
            ["stage", "s", "share"],
        )
    )
    if (ratio > TARGET_RATIO and not args.no_profile) or args.smoke:
        over = {
            "load_client_list": stages["load_client_list"] - base["read_seconds"],
            "write_results": stages["write_results"] - base["write_seconds"],
        }
        worst = max(over, key=lambda k: over[k])
        say()
        say(
            f"over the baseline: load_client_list {over['load_client_list']:+.2f} s vs its read, write_results "
            f"{over['write_results']:+.2f} s vs its write, rate_in_chunks {stages['rate_in_chunks']:+.2f} s (no counterpart)"
        )
        profiled = spawn("profile", str(source), str(out_dir / "profile.xlsx"), worst)["profile"]
        say(f"cProfile of {worst}, top 12 by own time:")
        say("\n".join(line for line in profiled.splitlines() if line.strip() and not line.startswith(("   Ordered", "   List"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
