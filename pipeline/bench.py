"""The large-landlord benchmark (issue 9): `make bench`, or

    python -m pipeline.bench [--scale large] [--repairs N] [--out outputs/bench]
                             [--curve 1000000,3000000] [--no-render]
    python -m pipeline.bench --profile-stages [--repairs N]   # time each stage: full, then incremental

1. Generates the dataset with pipeline.sample_large into OUT/data (and the extra day's
   exports into OUT/extra-day), or reuses them when OUT/manifest.json says they are complete
   (same scale, every file present with the size it was written with).
2. Measures, each in a fresh subprocess, in a fresh run folder OUT/run-<timestamp>/ whose
   dataset/ holds hard links to the generated files:
   a. full refresh from nothing: python -m pipeline refresh --dataset D --outputs O
   b. incremental refresh after copying the extra day's files into D
   c. python -m pipeline report --year 2024 --no-render (it refreshes first: nothing new)
   d. the same with rendering
   and the yardstick: DuckDB itself loading the same CSV files into a new DuckDB file with
   its own type detection (CREATE TABLE t AS SELECT * FROM read_csv(f) per file, CHECKPOINT).
3. For each: wall seconds, rows per second (rows = data rows in the input files it read), and
   peak resident set size of the whole process tree, sampled with psutil every 0.1 s (the
   sum over the process and all its descendants); getrusage(RUSAGE_CHILDREN).ru_maxrss, the
   largest single process, is recorded beside it.
4. Writes OUT/<timestamp>.json and prints the table with the targets: full refresh within
   2 x the yardstick and under 4 GiB; incremental under 5% of the full refresh; report marts
   for one year under 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import psutil

GIB = 1 << 30
YEAR = "2024"
YARDSTICK = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
for i, f in enumerate(sys.argv[2:]):
    con.execute(f"create table t{i} as select * from read_csv('{f}')")
con.execute("checkpoint")
con.close()
"""


# ---------------------------------------------------------------- the dataset

def _manifest_ok(manifest_path: Path, data: Path, extra: Path, scale: dict) -> bool:
    if not manifest_path.exists():
        return False
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError:
        return False
    if manifest.get("scale") != scale or "bytes" not in manifest:
        return False
    for folder, files in ((data, manifest["bytes"]), (extra, manifest.get("extra_day_bytes", {}))):
        for name, size in files.items():
            path = folder / name
            if not path.exists() or path.stat().st_size != size:
                return False
    return bool(manifest.get("extra_day_bytes"))


def ensure_dataset(out: Path, args: argparse.Namespace, repairs: int | None, tag: str = ""
                   ) -> tuple[Path, Path, dict]:
    """OUT/data<tag> and OUT/extra-day<tag>, generated unless already complete."""
    from pipeline.sample_large import scale_from_args

    gen_args = argparse.Namespace(scale=args.scale, homes=args.homes, repairs=repairs)
    scale = vars(scale_from_args(gen_args))
    data, extra = out / f"data{tag}", out / f"extra-day{tag}"
    manifest_path = out / f"manifest{tag}.json"
    if _manifest_ok(manifest_path, data, extra, scale):
        print(f"bench: reusing {data} ({manifest_path.name})", flush=True)
        return data, extra, json.loads(manifest_path.read_text())
    manifest_path.unlink(missing_ok=True)
    for folder in (data, extra):
        shutil.rmtree(folder, ignore_errors=True)
    cmd = [sys.executable, "-m", "pipeline.sample_large", "--scale", args.scale,
           "--out", str(data), "--extra-day", str(extra)]
    if args.homes:
        cmd += ["--homes", str(args.homes)]
    if repairs:
        cmd += ["--repairs", str(repairs)]
    print(f"bench: generating {data} ({scale['repairs']:,} repairs) ...", flush=True)
    started = time.monotonic()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    manifest = json.loads(done.stdout)
    manifest["bytes"] = {n: (data / n).stat().st_size for n in manifest["rows"]}
    manifest["bytes"].update({n: (data / n).stat().st_size
                              for n in ("landlord.toml", "survey.toml")})
    manifest["extra_day_bytes"] = {n: (extra / n).stat().st_size
                                   for n in manifest["extra_day_rows"]}
    manifest["generate_seconds"] = round(time.monotonic() - started, 1)
    tmp = manifest_path.with_suffix(".json.part")
    tmp.write_text(json.dumps(manifest, indent=2))
    tmp.replace(manifest_path)
    print(f"bench: generated in {manifest['generate_seconds']}s", flush=True)
    return data, extra, manifest


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# ---------------------------------------------------------------- measuring

def measure(name: str, cmd: list[str], rows: int, log_dir: Path, timeout: float | None = None
            ) -> dict:
    """Run cmd in a fresh subprocess; wall time and the peak RSS of its whole process tree.
    A step still running after `timeout` seconds is stopped and recorded as timed out."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path = log_dir / f"{name}.out"
    peak = {"tree": 0}
    with out_path.open("w") as log:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        stop = threading.Event()

        def poll() -> None:
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not stop.is_set():
                total = 0
                try:
                    procs = [root, *root.children(recursive=True)]
                except psutil.Error:
                    procs = []
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak["tree"] = max(peak["tree"], total)
                stop.wait(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        timed_out = False
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.terminate()
            try:
                code = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
        wall = time.monotonic() - started
        stop.set()
        poller.join()
    # the largest single process among all children waited for so far (KiB on Linux)
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    tail = out_path.read_text(errors="replace").strip().splitlines()[-3:]
    result = {
        "name": name, "command": " ".join(cmd), "exit_code": code, "timed_out": timed_out,
        "wall_seconds": round(wall, 2),
        "rows": rows, "rows_per_second": round(rows / wall) if wall > 0 else None,
        "peak_rss_tree_bytes": peak["tree"], "peak_rss_method": "psutil tree sum every 0.1 s",
        "max_rss_any_child_so_far_bytes": maxrss, "output_tail": tail,
    }
    status = ("ok" if code == 0 else f"TIMED OUT after {timeout:.0f}s" if timed_out
              else f"FAILED (exit {code})")
    print(f"bench: {name}: {wall:.1f}s, peak RSS {peak['tree'] / GIB:.2f} GiB, {status}",
          flush=True)
    if code != 0:
        print("\n".join(tail), flush=True)
    return result


def _py() -> str:
    return sys.executable


def run_suite(out: Path, data: Path, extra: Path, manifest: dict, render: bool, stamp: str,
              timeout: float | None = None) -> dict:
    run_dir = out / f"run-{stamp}"
    dataset, outputs = run_dir / "dataset", run_dir / "outputs"
    dataset.mkdir(parents=True)
    for path in sorted(data.iterdir()):
        _link_or_copy(path, dataset / path.name)
    base_rows = sum(manifest["rows"].values())
    extra_rows = sum(manifest["extra_day_rows"].values())
    csvs = [str(dataset / n) for n in sorted(manifest["rows"])]
    logs = run_dir / "bench-logs"
    results: dict[str, dict] = {}
    results["yardstick"] = measure(
        "yardstick", [_py(), "-c", YARDSTICK, str(run_dir / "yardstick.duckdb"), *csvs],
        base_rows, logs, timeout)
    (run_dir / "yardstick.duckdb").unlink(missing_ok=True)
    pipeline = [_py(), "-m", "pipeline"]
    where = ["--dataset", str(dataset), "--outputs", str(outputs)]
    results["full_refresh"] = measure("full_refresh", [*pipeline, "refresh", *where],
                                      base_rows, logs, timeout)
    if results["full_refresh"]["exit_code"] != 0:
        print("bench: the full refresh did not finish; the steps that need it are skipped",
              flush=True)
    else:
        for path in sorted(extra.iterdir()):
            shutil.copy2(path, dataset / path.name)
        results["incremental_refresh"] = measure(
            "incremental_refresh", [*pipeline, "refresh", *where], extra_rows, logs, timeout)
        results["report_no_render"] = measure(
            "report_no_render", [*pipeline, "report", "--year", YEAR, "--no-render", *where],
            base_rows + extra_rows, logs, timeout)
        if render:
            results["report_render"] = measure(
                "report_render", [*pipeline, "report", "--year", YEAR, *where],
                base_rows + extra_rows, logs, timeout)
    warehouse = outputs / "warehouse.duckdb"
    results["warehouse_bytes"] = warehouse.stat().st_size if warehouse.exists() else None
    # keep the logs and report outputs; the warehouse and the links are large or redundant
    for path in outputs.glob("warehouse.duckdb*"):  # and a killed run's .building copy
        path.unlink(missing_ok=True)
    shutil.rmtree(dataset, ignore_errors=True)
    results["run_dir"] = str(run_dir)
    return results


def curve_point(out: Path, args: argparse.Namespace, repairs: int, stamp: str,
                timeout: float | None = None) -> dict:
    """A full refresh (and the yardstick) of a dataset with `repairs` repair jobs."""
    data, _extra, manifest = ensure_dataset(out, args, repairs, tag=f"-r{repairs}")
    run_dir = out / f"run-{stamp}-r{repairs}"
    dataset = run_dir / "dataset"
    dataset.mkdir(parents=True)
    for path in sorted(data.iterdir()):
        _link_or_copy(path, dataset / path.name)
    rows = sum(manifest["rows"].values())
    csvs = [str(dataset / n) for n in sorted(manifest["rows"])]
    logs = run_dir / "bench-logs"
    point = {"repairs": repairs, "rows": rows}
    point["yardstick"] = measure(f"yardstick-r{repairs}", [
        _py(), "-c", YARDSTICK, str(run_dir / "yardstick.duckdb"), *csvs], rows, logs, timeout)
    point["full_refresh"] = measure(f"full_refresh-r{repairs}", [
        _py(), "-m", "pipeline", "refresh", "--dataset", str(dataset),
        "--outputs", str(run_dir / "outputs")], rows, logs, timeout)
    (run_dir / "yardstick.duckdb").unlink(missing_ok=True)
    (run_dir / "outputs" / "warehouse.duckdb").unlink(missing_ok=True)
    shutil.rmtree(dataset, ignore_errors=True)
    return point


# ---------------------------------------------------------------- targets and table

def targets(results: dict) -> list[dict]:
    """Each target met or missed; a step that failed, timed out or did not run misses it
    (a timed-out full refresh is reported with '>' its time limit)."""
    full, yard = results["full_refresh"], results["yardstick"]
    inc, rep = results.get("incremental_refresh"), results.get("report_no_render")
    done = lambda r: r is not None and r["exit_code"] == 0
    more = "" if done(full) else ">"
    rows = [
        {"target": "full refresh <= 2 x yardstick",
         "measured": f"{more}{full['wall_seconds'] / yard['wall_seconds']:.2f} x "
                     f"({more}{full['wall_seconds']:.1f}s / {yard['wall_seconds']:.1f}s)",
         "met": done(full) and done(yard) and full["wall_seconds"] <= 2 * yard["wall_seconds"]},
        {"target": "full refresh peak RSS < 4 GiB",
         "measured": f"{more}{full['peak_rss_tree_bytes'] / GIB:.2f} GiB",
         "met": done(full) and full["peak_rss_tree_bytes"] < 4 * GIB},
        {"target": "incremental < 5% of full refresh",
         "measured": (f"{100 * inc['wall_seconds'] / full['wall_seconds']:.1f}% "
                      f"({inc['wall_seconds']:.1f}s)") if done(inc) else "not run / failed",
         "met": done(full) and done(inc) and inc["wall_seconds"] < 0.05 * full["wall_seconds"]},
        {"target": "report marts for one year < 10 s",
         "measured": f"{rep['wall_seconds']:.1f}s" if done(rep) else "not run / failed",
         "met": done(rep) and rep["wall_seconds"] < 10},
    ]
    return rows


def print_table(results: dict, checks: list[dict], curve: list[dict]) -> None:
    print()
    print(f"{'step':<22} {'wall s':>8} {'rows':>12} {'rows/s':>11} {'peak RSS GiB':>13}  exit")
    for key in ("yardstick", "full_refresh", "incremental_refresh", "report_no_render",
                "report_render"):
        r = results.get(key)
        if not r:
            continue
        print(f"{key:<22} {r['wall_seconds']:>8.1f} {r['rows']:>12,} "
              f"{(r['rows_per_second'] or 0):>11,} {r['peak_rss_tree_bytes'] / GIB:>13.2f}  "
              f"{r['exit_code']}")
    print()
    print(f"{'target':<36} {'measured':<28} result")
    for c in checks:
        print(f"{c['target']:<36} {c['measured']:<28} {'met' if c['met'] else 'MISSED'}")
    if curve:
        print()
        print(f"{'repairs':>12} {'rows':>12} {'full s':>8} {'yardstick s':>12} {'ratio':>6} "
              f"{'peak GiB':>9}")
        for p in curve:
            f, y = p["full_refresh"], p["yardstick"]
            print(f"{p['repairs']:>12,} {p['rows']:>12,} {f['wall_seconds']:>8.1f} "
                  f"{y['wall_seconds']:>12.1f} {f['wall_seconds'] / y['wall_seconds']:>6.2f} "
                  f"{f['peak_rss_tree_bytes'] / GIB:>9.2f}")


def machine() -> dict:
    import duckdb

    return {"cpus": os.cpu_count(), "memory_bytes": psutil.virtual_memory().total,
            "platform": platform.platform(), "python": platform.python_version(),
            "duckdb": duckdb.__version__}


# ---------------------------------------------------------------- stage profile

def profile_stages(dataset: Path, outputs: Path) -> list[tuple[str, str, float]]:
    """A full refresh in this process with a timer around each stage (functions wrapped here,
    not edited): file scans, raw load, parsing, validation, current record, each SQL model."""
    import pipeline.build_marts as build_marts
    import pipeline.ingest.load_dataset as load_dataset
    import pipeline.ingest.read_csv as read_csv
    import pipeline.model_state as model_state
    import pipeline.run as run
    import pipeline.run_guard as run_guard
    from pipeline.settings import RunConfig

    timings: list[tuple[str, str, float]] = []
    originals: list[tuple[object, str, object]] = []

    def timed(module, attr: str, label, stage: str) -> None:
        original = getattr(module, attr)
        originals.append((module, attr, original))

        def wrapper(*a, **k):
            t = time.monotonic()
            try:
                return original(*a, **k)
            finally:
                timings.append((stage, label(a, k), time.monotonic() - t))

        setattr(module, attr, wrapper)

    name_of_file = lambda a, k: Path(a[0]).name
    spec_name = lambda i: (lambda a, k: a[i].name)
    timed(load_dataset, "file_shape", name_of_file, "sha256 + shape scan (load_dataset)")
    timed(run, "_nothing_new", lambda a, k: "", "nothing-new check")
    timed(read_csv, "detect_encoding", name_of_file, "detect_encoding scan")
    timed(read_csv, "file_shape", name_of_file, "shape scan of a transcoded copy")
    timed(read_csv, "has_blank_lines", name_of_file, "blank-line search (quoted files)")
    timed(read_csv, "_copy_into_raw", lambda a, k: a[2].path.name, "read_csv -> raw")
    timed(load_dataset, "load_raw", lambda a, k: a[1].path.name, "load_raw total")
    timed(load_dataset, "stage_load", spec_name(1), "stage_load (parse, quarantine)")
    timed(load_dataset, "validate_staged", spec_name(1), "validate_staged (pandera)")
    timed(load_dataset, "build_current", spec_name(1), "build_current")
    timed(run, "erase_expired", lambda a, k: "", "erase_expired")
    timed(run, "assert_every_row_accounted_for", lambda a, k: "", "audit every row")
    timed(build_marts, "load_reference_tables", lambda a, k: "", "reference tables, calendar")
    timed(build_marts, "compute_weights", lambda a, k: "", "survey weights")
    timed(model_state.ModelState, "build", lambda a, k: f"{a[1].parent.name}/{a[1].name}", "sql model")
    timed(run, "build_marts", lambda a, k: "", "build_marts total")
    timed(run, "run_audits", lambda a, k: "", "run_audits")
    timed(run, "load_dataset", lambda a, k: "", "load_dataset total")
    original_copy = run_guard.shutil.copy2

    class _Shutil:
        def __getattr__(self, item):
            return getattr(shutil, item)

        @staticmethod
        def copy2(src, dst):
            t = time.monotonic()
            try:
                return original_copy(src, dst)
            finally:
                timings.append(("working copy (shutil.copy2)", Path(src).name,
                                time.monotonic() - t))

    run_guard.shutil = _Shutil()
    config = RunConfig.create(str(dataset), str(outputs), None, None, render=False)
    t = time.monotonic()
    try:
        run.refresh(config)
    finally:
        for module, attr, original in reversed(originals):
            setattr(module, attr, original)
        run_guard.shutil = shutil
    timings.append(("refresh total", "", time.monotonic() - t))
    return timings


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__)
    parser.add_argument("--scale", choices=("large", "medium"), default="large")
    parser.add_argument("--repairs", type=int, help="repair jobs (default: the scale's)")
    parser.add_argument("--homes", type=int, help="homes (default: the scale's)")
    parser.add_argument("--out", default="outputs/bench", help="bench folder (outputs/bench)")
    parser.add_argument("--curve", default="",
                        help="also time a full refresh at these repair counts, e.g. 1000000,3000000")
    parser.add_argument("--no-render", action="store_true", help="skip the rendered report")
    parser.add_argument("--step-timeout", type=float, default=1800,
                        help="stop a step after this many seconds and record it as missed "
                             "(default 1800)")
    parser.add_argument("--profile-stages", action="store_true",
                        help="time each stage of one full refresh, then of the incremental "
                             "refresh after the extra day, in this process, and stop")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    data, extra, manifest = ensure_dataset(out, args, args.repairs)

    if args.profile_stages:
        run_dir = out / f"profile-{stamp}"
        (run_dir / "dataset").mkdir(parents=True)
        for path in sorted(data.iterdir()):
            _link_or_copy(path, run_dir / "dataset" / path.name)
        timings = profile_stages(run_dir / "dataset", run_dir / "outputs")
        # then the night after: the extra day's exports on top of the full refresh
        for path in sorted(extra.iterdir()):
            _link_or_copy(path, run_dir / "dataset" / path.name)
        timings += [(f"incremental: {stage}", what, seconds) for stage, what, seconds
                    in profile_stages(run_dir / "dataset", run_dir / "outputs")]
        (run_dir / "outputs" / "warehouse.duckdb").unlink(missing_ok=True)
        shutil.rmtree(run_dir / "dataset", ignore_errors=True)
        totals: dict[str, float] = {}
        for stage, _what, seconds in timings:
            totals[stage] = totals.get(stage, 0.0) + seconds
        print(f"\n{'stage':<34} {'detail':<44} {'seconds':>8}")
        for stage, what, seconds in timings:
            if seconds >= 0.05:
                print(f"{stage:<34} {what:<44} {seconds:>8.2f}")
        print(f"\n{'stage (summed)':<34} {'seconds':>8}")
        for stage, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
            print(f"{stage:<34} {seconds:>8.2f}")
        (out / f"profile-{stamp}.json").write_text(json.dumps(
            {"timings": timings, "totals": totals, "manifest": manifest}, indent=2))
        return 0

    results = run_suite(out, data, extra, manifest, not args.no_render, stamp, args.step_timeout)
    curve = []
    for n in [int(x) for x in args.curve.split(",") if x.strip()]:
        curve.append(curve_point(out, args, n, stamp, args.step_timeout))
    if curve:
        main_point = {"repairs": manifest["scale"]["repairs"], "rows": sum(manifest["rows"].values()),
                      "full_refresh": results["full_refresh"], "yardstick": results["yardstick"]}
        curve = sorted([*curve, main_point], key=lambda p: p["repairs"])
    checks = targets(results)
    report = {"timestamp": stamp, "machine": machine(), "dataset": manifest, "results": results,
              "targets": checks, "curve": curve}
    path = out / f"{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print_table(results, checks, curve)
    print(f"\nbench: written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
