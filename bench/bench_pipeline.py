"""Benchmark: load → validate → clean → all metrics at about a million rows.

    python bench/bench_pipeline.py [--scale 600] [--formats parquet csv]

Builds the synthetic programme at ``--scale`` once (cached under
bench/results/), then, for each format, measures the pipeline in a fresh
process so that peak memory is the pipeline's own. Prints wall time per
stage and peak resident memory. Target (issue 3): < 10 s and < 2 GiB from
Parquet on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def build(scale: int, fmt: str) -> Path:
    from auditlib.demo import write_programme

    folder = RESULTS / f"scale{scale}-{fmt}"
    if not (folder / "programme.yml").exists():
        t0 = time.perf_counter()
        write_programme(folder, scale=scale, fmt=fmt)
        print(f"  built scale {scale} ({fmt}) in {time.perf_counter() - t0:.1f} s → {folder}")
    return folder


def measure(folder: Path) -> dict[str, float]:
    """Run the whole pipeline once, timing each stage (called in a fresh process)."""
    from auditlib.analysis import metrics
    from auditlib.data import schema
    from auditlib.data.loading import load_dataset
    from auditlib.data.pipeline import clean_dataset

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    dataset = load_dataset(folder)
    times["load"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    data = clean_dataset(dataset)  # validation and cleaning are one pass
    times["validate+clean"] = time.perf_counter() - t1
    assert not data.errors, data.errors[:5]

    t2 = time.perf_counter()
    audits, programme = data.audits, data.programme
    month = metrics.audited_months(audits)[-1]
    as_at = metrics.default_as_at(audits, programme)
    metrics.programme_to_date(audits, programme, month, as_at)
    metrics.compute_compliance(audits, month, schema.AUDIT, as_at)
    metrics.judgement_distribution(audits, month)
    trend = metrics.judgement_trend(audits, programme, month)
    metrics.judgement_shares(trend)
    metrics.month_on_month(trend, month)
    metrics.judgements_by_cohort(audits, month)
    metrics.judgements_by_domain(audits, month)
    for by in (schema.TEAM, schema.AREA):
        metrics.compliance_by(audits, by, month, schema.AUDIT, as_at)
        metrics.count_judgements(audits, month, by=by)
    times["metrics"] = time.perf_counter() - t2
    times["total"] = time.perf_counter() - t0
    times["rows"] = float(len(audits))
    times["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=600)
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    print(f"auditlib pipeline benchmark, scale {args.scale}")
    for fmt in args.formats:
        folder = build(args.scale, fmt)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        t = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  {fmt:8s} {int(t['rows']):>9,d} rows: load {t['load']:.2f} s, validate+clean "
            f"{t['validate+clean']:.2f} s, metrics {t['metrics']:.2f} s, total {t['total']:.2f} s wall; "
            f"peak RSS {t['peak_rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
