"""Prompt assistant: field accuracy of the offline structurer on the prompt table, and time per prompt.

Fields scored per prompt: subjects (the set of subject names), camera (the exact set of
presets) and beats (the count). ``field_accuracy`` is over the tuned table,
``held_out_accuracy`` over the held-out third (never tuned on). Run:

    PYTHONPATH=. .venv/bin/python benchmarks/prompts.py [--failures]

Prints a table per field and kind, the misses with --failures, and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from studio.prompting.structure import PromptStructure
from studio.prompting.structurer import OfflineStructurer

DATA = Path(__file__).resolve().parents[1] / "tests" / "prompting" / "data"
FIELDS = ("subjects", "camera", "beats")


def load(name: str) -> list[dict]:
    """The table ``prompts_<name>.json`` (``tuned`` or ``held_out``)."""
    return json.loads((DATA / f"prompts_{name}.json").read_text(encoding="utf-8"))


def observed(structure: PromptStructure) -> dict[str, object]:
    return {"subjects": sorted(s.name for s in structure.subjects), "camera": sorted(structure.camera.presets),
            "beats": len(structure.beats)}  # fmt: skip


def expected(row: dict) -> dict[str, object]:
    return {"subjects": sorted(row["subjects"]), "camera": sorted(row["camera"]), "beats": row["beats"]}


def score(rows: list[dict], structurer: OfflineStructurer) -> tuple[dict[str, float], list[tuple[dict, dict]], float]:
    """Per-field accuracy (plus ``all``: fields right out of all fields), the misses, and seconds spent structuring."""
    right: dict[str, int] = defaultdict(int)
    misses = []
    spent_s = 0.0
    for row in rows:
        started = time.perf_counter()
        got = observed(structurer.structure(row["text"]).structure)
        spent_s += time.perf_counter() - started
        want = expected(row)
        for name in FIELDS:
            right[name] += got[name] == want[name]
        if got != want:
            misses.append((row, got))
    accuracy = {name: right[name] / len(rows) for name in FIELDS}
    accuracy["all"] = sum(right.values()) / (len(rows) * len(FIELDS))
    return accuracy, misses, spent_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="print every tuned prompt with a wrong field")
    parser.add_argument("--held-out-failures", action="store_true", help="print the held-out misses too (not for tuning)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the tables for the timing")
    args = parser.parse_args()
    structurer = OfflineStructurer()
    tables = {"tuned": load("tuned"), "held_out": load("held_out")}
    results = {name: score(rows, structurer) for name, rows in tables.items()}
    print(f"{'table':<10} {'prompts':>7} {'subjects':>9} {'camera':>7} {'beats':>6} {'fields':>7}")
    for name, (accuracy, _, _) in results.items():
        print(f"{name:<10} {len(tables[name]):>7} {accuracy['subjects']:>9.3f} {accuracy['camera']:>7.3f} "
              f"{accuracy['beats']:>6.3f} {accuracy['all']:>7.3f}")  # fmt: skip
    kinds: dict[str, list[dict]] = defaultdict(list)
    for row in tables["tuned"] + tables["held_out"]:
        kinds[row["kind"]].append(row)
    print(f"\n{'kind (both tables)':<20} {'prompts':>7} {'fields':>7}")
    for kind, rows in sorted(kinds.items()):
        print(f"{kind:<20} {len(rows):>7} {score(rows, structurer)[0]['all']:>7.3f}")
    shown = (["tuned"] if args.failures else []) + (["held_out"] if args.held_out_failures else [])
    for name in shown:
        for row, got in results[name][1]:
            print(f"\n[{name}] {row['text']}\n  want {expected(row)}\n  got  {got}")
    every = tables["tuned"] + tables["held_out"]
    started = time.perf_counter()
    for _ in range(args.repeat):
        for row in every:
            structurer.structure(row["text"])
    ms_per_prompt = (time.perf_counter() - started) * 1000 / (args.repeat * len(every))
    print(f"\n{ms_per_prompt:.2f} ms per prompt ({args.repeat} passes over {len(every)} prompts)")
    print(json.dumps({"field_accuracy": round(results["tuned"][0]["all"], 4),
                      "held_out_accuracy": round(results["held_out"][0]["all"], 4),
                      "ms_per_prompt": round(ms_per_prompt, 3)}))  # fmt: skip


if __name__ == "__main__":
    main()
