"""Scale out: the same batch of demo jobs through the local executor and through Ray with 1 and 2 workers.

Every worker is pinned to one torch thread (``torch.set_num_threads(1)`` in the
actor, in its run thread too: ``STUDIO_RAY_TORCH_THREADS=1``; Ray sets
``OMP_NUM_THREADS=1`` in an actor of one CPU; the local run sets one torch
thread in this process), so a job's denoising steps are CPU-bound on one core
and two workers on two cores can run two jobs at once. Export, quality report
and events run in this process for every mode (content credentials and
watermark off, so the per-job work here stays small next to the steps).
Nothing is niced: the studio and its workers run at nice 0.

The three studios (local, Ray x1, Ray x2) are built side by side, each worker
warmed up (model loaded), and measured alternately so that the load of other
processes on the machine hits them alike:

- throughput: jobs per second over a batch of ``--jobs`` jobs (submit all,
  wait for all), median over ``--rounds`` batches;
- scheduling overhead: jobs with next to no compute (``motion-warp``: the
  image warped along a camera pan, 9 frames of 64x48, no neural model) one
  at a time, Ray with 1 worker against the local executor, median of each;
  the difference is what Ray adds per job (the estimate asked of a worker at
  submit, choice of worker, actor call, streamed reports, frames through the
  object store). Timing the demo model instead would measure the machine's
  load: its compute swamps a few milliseconds;
- CPU per job during the throughput batches (``psutil``): this process (the
  studio: events, preview files, export, report), the ffmpeg it runs, the
  worker actors (idle ones of the other studios too: next to nothing), and
  Ray's own processes (raylet, GCS, ...). Two workers cannot beat two cores:
  ``2 / (CPU per job)`` bounds Ray x2. Cores used = jobs/s x CPU per job: what
  this benchmark's processes got of the machine. With the kernel's autogroup
  scheduling (``/proc/sys/kernel/sched_autogroup_enabled``) the CPU is shared
  between sessions first: while other sessions are busy, all of this one's
  processes share one session's part, however many workers it runs. As a
  control, the benchmark measures before and after its runs what 2-over-1 a
  trivially parallel load gets from the machine now: the cores taken by 2 busy
  processes over those taken by 1 (4 s each).

Usage: python benchmarks/scale.py [--jobs 8] [--steps 20] [--rounds 2] [--tiny 15]
Last line: {"ray_overhead_ms_per_job": ..., "throughput_2_over_1": ...}
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import psutil  # noqa: E402
import ray  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from studio.config import Settings  # noqa: E402
from studio.container import Container, build_container  # noqa: E402
from studio.engine.demo import ensure_demo  # noqa: E402
from studio.motion.specs import CameraSpec, MotionSpec  # noqa: E402
from studio.scale.cluster import SYSTEM_CONFIG  # noqa: E402
from studio.types import GenerationRequest, JobStatus, Mode  # noqa: E402

MODEL = "wan-demo"


def request(seed: int, steps: int, width: int = 128, height: int = 128, frames: int = 9) -> GenerationRequest:
    return GenerationRequest(prompt="a red fox trots through fresh snow", model=MODEL, width=width, height=height,
                             num_frames=frames, steps=steps, seed=seed)  # fmt: skip


def run_batch(container: Container, requests: list[GenerationRequest]) -> float:
    """Seconds from the first submit until every job ended (all must succeed)."""
    started = time.perf_counter()
    ids = [container.jobs.submit(r).id for r in requests]
    jobs = [container.jobs.wait(job_id, 900) for job_id in ids]
    elapsed = time.perf_counter() - started
    failed = [(j.id, j.error) for j in jobs if j.status != JobStatus.SUCCEEDED]
    if failed:
        raise RuntimeError(f"jobs failed: {failed}")
    return elapsed


def build(base: Path, name: str, models: Path, **values: object) -> Container:
    settings = Settings(data_dir=base / name, model_dir=models, device="cpu", offline=True, c2pa_signing=False,
                        watermark=False, max_queue_length=1000, **values)  # type: ignore[arg-type]  # fmt: skip
    container = build_container(settings)
    workers = container.ray.worker_count if container.ray is not None else 1
    run_batch(container, [request(900 + i, 2) for i in range(workers)])  # warm-up: every worker loads the model
    return container


def overhead(local: Container, ray1: Container, count: int, image: Path) -> tuple[float, float]:
    """Median ms of a compute-free job, local and Ray x1, run alternately (drift on the machine hits both alike)."""
    warp = GenerationRequest(mode=Mode.I2V, prompt="a pan", model="motion-warp", image=str(image), width=64, height=48,
                             num_frames=9, motion=MotionSpec(camera=CameraSpec(presets=["pan_right"], strength=0.5)))  # fmt: skip
    times: dict[str, list[float]] = {"local": [], "ray": []}
    for i in range(count + 1):
        for name, container in (("local", local), ("ray", ray1)):
            elapsed = 1000 * run_batch(container, [warp.model_copy(update={"seed": i})])
            if i:  # the first is a warm-up
                times[name].append(elapsed)
    return statistics.median(times["local"]), statistics.median(times["ray"])


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def busy_cores(processes: int, seconds: float = 4.0) -> float:
    """Cores the machine gives ``processes`` busy processes of this session now (CPU seconds over wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    spinners = [multiprocessing.get_context("fork").Process(target=_spin, args=(seconds,)) for _ in range(processes)]
    for spinner in spinners:
        spinner.start()
    for spinner in spinners:
        spinner.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / (time.monotonic() - started)


def machine_two_over_one() -> float:
    """What 2 over 1 a trivially parallel load gets now: cores taken by 2 busy processes over those taken by 1."""
    return busy_cores(2) / busy_cores(1)


def cpu_seconds(workers: set[int]) -> dict[str, float]:
    """CPU seconds so far: this process, its ended children (ffmpeg), the worker actors ``workers``, other Ray processes."""
    def used(process: psutil.Process) -> float:
        try:
            times = process.cpu_times()
        except psutil.Error:  # ended meanwhile
            return 0.0
        return times.user + times.system

    me = psutil.Process()
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = {"studio": used(me), "ffmpeg": ended.ru_utime + ended.ru_stime, "workers": 0.0, "ray": 0.0}
    for child in me.children(recursive=True):
        seconds["workers" if child.pid in workers else "ray"] += used(child)
    return seconds


def throughput(containers: dict[str, Container], args: argparse.Namespace) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Median jobs per second of each executor over ``--rounds`` batches (executors alternating), and CPU ms per job."""
    workers = {w.pid for c in containers.values() if c.ray is not None for w in c.ray.workers() if w.pid is not None}
    rates: dict[str, list[float]] = {name: [] for name in containers}
    cpu: dict[str, dict[str, float]] = {name: dict.fromkeys(("studio", "ffmpeg", "workers", "ray"), 0.0) for name in containers}
    for _round in range(args.rounds):
        for name, container in containers.items():
            before = cpu_seconds(workers)
            rates[name].append(args.jobs / run_batch(container, [request(i, args.steps) for i in range(args.jobs)]))
            for part, seconds in cpu_seconds(workers).items():
                cpu[name][part] += 1000 * (seconds - before[part]) / (args.jobs * args.rounds)
    return {name: statistics.median(r) for name, r in rates.items()}, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8, help="jobs in a throughput batch")
    parser.add_argument("--steps", type=int, default=20, help="denoising steps per batch job")
    parser.add_argument("--rounds", type=int, default=2, help="batches per executor (alternating)")
    parser.add_argument("--tiny", type=int, default=15, help="compute-free jobs per executor for the overhead")
    args = parser.parse_args()
    load = [os.getloadavg()[0]]
    control = [machine_two_over_one()]  # before Ray starts (a fork of this process only spins)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        models = base / "models"
        torch.set_num_threads(1)  # the local executor's worker thread: one core, like one Ray worker
        # 3 logical CPUs: the 1-worker and 2-worker studios exist side by side (idle actors cost nothing);
        # the machine's cores are what the jobs share
        ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False, _system_config=SYSTEM_CONFIG)
        containers: dict[str, Container] = {}
        try:
            containers["local"] = build(base, "local", models)
            ensure_demo(models, containers["local"].registry.resolve(MODEL))  # built once, before the workers start
            for workers in (1, 2):
                containers[f"ray x{workers}"] = build(base, f"ray{workers}", models, executor="ray", ray_workers=workers,
                                                      ray_cpus_per_worker=1, ray_torch_threads=1)  # fmt: skip
            image = base / "source.png"
            Image.fromarray(np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(image)
            local_ms, ray_ms = overhead(containers["local"], containers["ray x1"], args.tiny, image)
            load.append(os.getloadavg()[0])
            rates, cpu = throughput(containers, args)
            load.append(os.getloadavg()[0])
        finally:
            for container in containers.values():
                container.close()
            ray.shutdown()
    control.append(machine_two_over_one())  # Ray is down again
    print(f"wan-demo 128x128x9, {args.steps} steps; batches of {args.jobs} jobs, {args.rounds} per executor; "
          f"{os.cpu_count()} CPUs; 1 torch thread per worker; 1-min load average {min(load):.1f}-{max(load):.1f}")  # fmt: skip
    print(f"{'executor':<10} {'jobs/s':>8} | CPU ms per job: {'studio':>7} {'ffmpeg':>7} {'workers':>8} {'ray':>5} "
          f"{'total':>6} | cores used | 2 cores bound jobs/s")  # fmt: skip
    for name, rate in rates.items():
        total = sum(cpu[name].values())
        print(f"{name:<10} {rate:>8.3f} | {'':15} {cpu[name]['studio']:>7.0f} {cpu[name]['ffmpeg']:>7.0f} "
              f"{cpu[name]['workers']:>8.0f} {cpu[name]['ray']:>5.0f} {total:>6.0f} | {rate * total / 1000:>10.2f} "
              f"| {2000 / total:.2f}")  # fmt: skip
    print(f"the machine now: 2 busy processes take {control[0]:.2f} / {control[1]:.2f} x the cores 1 takes "
          "(before / after the runs; 2.0 on two free cores)")
    print(f"motion-warp job (64x48x9, no model), median of {args.tiny}: local {local_ms:.1f} ms, Ray x1 {ray_ms:.1f} ms")
    print(json.dumps({"ray_overhead_ms_per_job": round(ray_ms - local_ms, 1),
                      "throughput_2_over_1": round(rates["ray x2"] / rates["ray x1"], 3),
                      "throughput_ray1_over_local": round(rates["ray x1"] / rates["local"], 3),
                      "machine_2_over_1": [round(c, 2) for c in control],
                      "load_avg_min": round(min(load), 1), "load_avg_max": round(max(load), 1),
                      "cpu_ms_per_job": {n: {k: round(v) for k, v in c.items()} for n, c in cpu.items()}}))  # fmt: skip


if __name__ == "__main__":
    main()
