"""Multi-GPU jobs through the studio: the same request and seed as a 1-GPU job and as a ``gpus=N`` job on Ray.

Both go the whole job path (submit checks, queue, Ray executor, export, events): the 1-GPU job on a pool
worker, the N-GPU job on N rank actors in a placement group (``studio/scale/parallel.py``). Figures:

- seconds of each job from start to end, and the pipeline's own share (``generate_s``: denoise and decode,
  from the run's timings in the metadata); the rest of the N-GPU job is reserving the GPUs, starting the
  ranks and loading the model on each (a cold start every job);
- the largest pixel difference between the two jobs' frames (exported as PNG, lossless): 0 on CPU ranks
  (float32), small on GPUs (bf16 all-to-all reorders sums).

On GPUs it needs N + 1 CUDA devices on the machine: one for the pool worker that runs the 1-GPU job
(``STUDIO_RAY_GPUS_PER_WORKER=1``), N for the ranks; it says so and exits 0 otherwise. ``--cpu`` declares N
logical GPUs on a local Ray and runs everything on the CPU, the ranks over gloo (what the wiring costs).

Usage: python benchmarks/parallel_jobs.py [--model wan-demo] [--gpus 2] [--cpu] [--size 64] [--frames 9] [--steps 4]
Last line: {"gpus": N, "job_s_1": ..., "job_s_n": ..., "generate_s_1": ..., "generate_s_n": ..., "max_pixel_diff": ...}
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from studio.config import Settings  # noqa: E402
from studio.container import Container, build_container  # noqa: E402
from studio.types import ExportSettings, GenerationRequest, Job, JobStatus  # noqa: E402


def _frames(studio: Container, job: Job) -> np.ndarray:
    assert job.outputs.video is not None
    with zipfile.ZipFile(studio.jobs.output_dir(job.id) / job.outputs.video) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".png"))
        return np.stack([np.asarray(Image.open(io.BytesIO(archive.read(n)))) for n in names])


def _run(studio: Container, request: GenerationRequest) -> tuple[Job, float]:
    job = studio.jobs.wait(studio.jobs.submit(request).id, 3600)
    if job.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"gpus={request.gpus}: job {job.status.value}: {job.error}")
    metadata = json.loads((studio.jobs.output_dir(job.id) / str(job.outputs.metadata)).read_text())
    timings = metadata.get("timings_s") or metadata.get("provenance", {}).get("timings_s", {})
    return job, float(timings.get("generate_s", float("nan")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="wan-demo", help="a registered key or a local diffusers folder (Wan, LTX)")
    parser.add_argument("--gpus", type=int, default=2)
    parser.add_argument("--cpu", action="store_true", help="logical GPUs on a local Ray, ranks on the CPU (gloo)")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--frames", type=int, default=9)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    import ray
    import torch

    cuda = torch.cuda.device_count()
    if not args.cpu and cuda < args.gpus + 1:
        print(f"skipped: needs {args.gpus + 1} CUDA devices (N ranks + the 1-GPU reference worker), found {cuda}; "
              "--cpu runs the ranks on the CPU")  # fmt: skip
        return
    ray.init(num_cpus=2 if args.cpu else None, num_gpus=args.gpus if args.cpu else cuda, include_dashboard=False,
             log_to_driver=False, _system_config={"worker_niceness": 0})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", model_dir=Path(tmp) / "models", offline=True, executor="ray",
                            device="cpu" if args.cpu else "auto", ray_workers=1, ray_gpus_per_worker=0 if args.cpu else 1,
                            ray_torch_threads=1 if args.cpu else 0, allow_local_models=True, c2pa_signing=False,
                            watermark=False)  # fmt: skip
        studio = build_container(settings)
        try:
            request = GenerationRequest(prompt="a red fox trots through fresh snow", model=args.model, width=args.size,
                                        height=args.size, num_frames=args.frames, steps=args.steps, seed=1234,
                                        export=ExportSettings(format="png_zip"))  # fmt: skip
            one, generate_1 = _run(studio, request)
            many, generate_n = _run(studio, request.model_copy(update={"gpus": args.gpus}))
            diff = float(np.abs(_frames(studio, one).astype(np.int16) - _frames(studio, many).astype(np.int16)).max())
        finally:
            studio.close()
            ray.shutdown()
    job_1, job_n = one.duration_s or 0.0, many.duration_s or 0.0
    where = "CPU ranks (gloo)" if args.cpu else f"{torch.cuda.get_device_name(0)} (nccl)"
    print(f"{args.model} {args.size}x{args.size}x{args.frames}, {args.steps} steps, on {where}")
    print(f"{'job':<10}{'job s':>10}{'generate s':>12}")
    print(f"{'1 GPU':<10}{job_1:>10.2f}{generate_1:>12.2f}")
    print(f"{f'{args.gpus} GPUs':<10}{job_n:>10.2f}{generate_n:>12.2f}")
    print(f"largest pixel difference: {diff:g}")
    print(json.dumps({"gpus": args.gpus, "job_s_1": round(job_1, 2), "job_s_n": round(job_n, 2),
                      "generate_s_1": round(generate_1, 2), "generate_s_n": round(generate_n, 2),
                      "max_pixel_diff": diff}))  # fmt: skip


if __name__ == "__main__":
    main()
