"""Both databases side by side from bench/results/*.json: `python -m bench.report province`."""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def cell(r: dict) -> tuple[str, str, str]:
    if r.get("value") is not None:
        main = f"{r['value']:,.1f} {r['unit']}"
    elif r.get("p95") is not None:
        main = f"{r['p50']:,.1f} / {r['p95']:,.1f} ms"
    else:
        main = "—"
    floor = "—"
    notes = r.get("notes") or {}
    if r.get("floor_value") is None:  # results written before floor_value existed
        r["floor_value"] = notes.get("floor_rows_per_s") or (notes.get("minimal") or {}).get("rps")
    if r.get("value") is not None and r.get("floor_value") is not None:
        floor = f"{r['floor_value']:,.1f} {r['unit']}"
    elif r.get("value") is None and r.get("floor_p95") is not None:
        floor = f"{r['floor_p50']:,.1f} / {r['floor_p95']:,.1f} ms"
    ratio = "—" if r.get("ratio") is None else f"{r['ratio']:.2f}×"
    if r.get("name") == "api_throughput" and r.get("ratio") is not None:
        ratio = f"{100 * r['ratio']:.0f}% of minimal"
    mark = {True: " ✓", False: " ✗", None: ""}[r.get("ok")]
    return main + mark, floor, ratio


def report(scale: str) -> str:
    runs = {}
    for vendor in ("sqlite", "postgresql"):
        path = RESULTS / f"{vendor}-{scale}.json"
        if path.exists():
            runs[vendor] = json.loads(path.read_text(encoding="utf-8"))
    if not runs:
        return f"no results for scale {scale} in {RESULTS}"
    names, labels, targets = [], {}, {}
    for data in runs.values():
        for r in data["results"]:
            if r["name"] not in labels:
                names.append(r["name"])
            labels[r["name"]], targets[r["name"]] = r["label"], r["target"]
    header = "| operation | target |" + "".join(f" {v} (p50 / p95) | floor | ratio |" for v in runs)
    lines = [header, "|---|---|" + "---|---|---|" * len(runs)]
    for name in names:
        row = f"| {labels[name]} | {targets[name]} |"
        for data in runs.values():
            found = next((r for r in data["results"] if r["name"] == name), None)
            row += " {} | {} | {} |".format(*(cell(found) if found else ("—", "—", "—")))
        lines.append(row)
    heads = "; ".join(
        f"{v}: {d['machine']['database_version']}, {d['households']:,} households, {d['ledger_entries']:,} ledger entries, "
        f"commit {d['machine']['commit']}, {d['machine']['date']}" for v, d in runs.items()
    )
    return f"scale {scale} — {heads}\n\n" + "\n".join(lines)


if __name__ == "__main__":
    print(report(sys.argv[1] if len(sys.argv) > 1 else "province"))
