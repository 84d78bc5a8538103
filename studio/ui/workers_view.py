"""The Models tab's view of the Ray workers: state, place, and each worker's model cache (no gradio)."""

from __future__ import annotations

from studio.scale.state import WorkerState


def workers_markdown(workers: list[WorkerState]) -> str:
    """One row per worker; its cache as "model (GB, offload, in use)", or why it is unknown."""
    rows = ["**Ray workers** (jobs run there and load their models there; the table above is this process's own "
            "cache, which runs no job):", "",
            "| worker | state | node | device | GPUs | jobs run | cache |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for w in workers:
        if w.cache is None:
            cache = "did not answer" if w.state in ("ready", "busy") else "-"
        else:
            cache = ", ".join(f"{m.key} ({m.size_gb:.2f} GB, {m.policy}{', in use' if m.in_use else ''})" for m in w.cache) or "empty"
        state = f"busy ({w.job_id})" if w.state == "busy" and w.job_id else w.state
        rows.append(f"| {w.name} | {state} | {w.node} | {w.device} | {', '.join(w.gpus) or '-'} | {w.jobs_run} | {cache} |")
    return "\n".join(rows)
