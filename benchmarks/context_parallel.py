"""Context parallelism on GPUs: one Wan generation split over N GPUs inside one Ray placement group.

Runs only where CUDA has at least ``--gpus`` devices (it says so and exits 0
otherwise; the CPU check of the same code path is
``tests/engine/test_context_parallel.py``). A placement group reserves N
bundles of one GPU each on one node (``STRICT_PACK``: Ulysses' all-to-all wants
NVLink); one Ray actor per bundle joins an NCCL process group, loads the same
pipeline, calls ``studio.engine.context_parallel.enable_context_parallel`` and
runs the same request and seed. Compared against one GPU: seconds per run and
the largest pixel difference (bf16 all-to-all reorders sums, so small
differences are expected on GPUs, unlike the bit-equal float32 CPU check).

Not run in this repository's development (no GPU machine was lent); the figures
belong in docs/scaling.md once it has been.

Usage: python benchmarks/context_parallel.py --model /path/to/Wan2.1-T2V-1.3B-Diffusers [--gpus 2]
Last line: {"gpus": N, "seconds_1": ..., "seconds_n": ..., "speedup": ..., "max_pixel_diff": ...}
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

CALL = dict(prompt="a red fox trots through fresh snow, cinematic", height=480, width=832, num_frames=81,
            num_inference_steps=20, guidance_scale=5.0)  # fmt: skip


class Rank:
    """One process of the group: its GPU, the NCCL group, the pipeline."""

    def __init__(self, model: str, rank: int, world: int, address: str) -> None:
        import torch.distributed as dist
        from diffusers import WanPipeline

        from studio.engine.context_parallel import enable_context_parallel

        torch.cuda.set_device(0)  # Ray shows each actor its own GPU as device 0
        self.pipe = WanPipeline.from_pretrained(model, torch_dtype=torch.bfloat16).to("cuda")
        if world > 1:
            dist.init_process_group("nccl", init_method=f"tcp://{address}", rank=rank, world_size=world)
            enable_context_parallel(self.pipe, world)

    def generate(self, seed: int) -> tuple[float, np.ndarray]:
        torch.cuda.synchronize()
        started = time.perf_counter()
        frames = self.pipe(**CALL, generator=torch.Generator("cpu").manual_seed(seed), output_type="np").frames[0]
        torch.cuda.synchronize()
        return time.perf_counter() - started, frames


def run_group(ray, model: str, gpus: int, seed: int) -> tuple[float, np.ndarray]:  # type: ignore[no-untyped-def]
    from ray.util.placement_group import placement_group, remove_placement_group
    from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

    group = placement_group([{"GPU": 1, "CPU": 1}] * gpus, strategy="STRICT_PACK")
    ray.get(group.ready(), timeout=120)
    with socket.socket() as s:  # rank 0's rendezvous; the group is on one node (STRICT_PACK)
        s.bind(("", 0))
        address = f"{ray.util.get_node_ip_address()}:{s.getsockname()[1]}"
    actor = ray.remote(num_gpus=1, num_cpus=1)(Rank)
    ranks = [actor.options(scheduling_strategy=PlacementGroupSchedulingStrategy(group, placement_group_bundle_index=i))
             .remote(model, i, gpus, address) for i in range(gpus)]  # fmt: skip
    try:
        ray.get([r.generate.remote(seed + 1) for r in ranks])  # warm-up
        results = ray.get([r.generate.remote(seed) for r in ranks])
    finally:
        for r in ranks:
            ray.kill(r)
        remove_placement_group(group)
    return max(t for t, _ in results), results[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a Wan diffusers folder or hub id")
    parser.add_argument("--gpus", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    if not torch.cuda.is_available() or torch.cuda.device_count() < args.gpus:
        print(f"skipped: needs {args.gpus} CUDA devices, found {torch.cuda.device_count()}")
        return
    import ray

    ray.init(num_gpus=torch.cuda.device_count(), include_dashboard=False)
    try:
        one_s, one = run_group(ray, args.model, 1, args.seed)
        many_s, many = run_group(ray, args.model, args.gpus, args.seed)
    finally:
        ray.shutdown()
    diff = float(np.abs(one.astype(np.float32) - many.astype(np.float32)).max())
    print(f"{CALL['width']}x{CALL['height']}x{CALL['num_frames']}, {CALL['num_inference_steps']} steps: "
          f"1 GPU {one_s:.1f} s, {args.gpus} GPUs {many_s:.1f} s; largest pixel difference {diff:.4f}")  # fmt: skip
    print(json.dumps({"gpus": args.gpus, "seconds_1": round(one_s, 2), "seconds_n": round(many_s, 2),
                      "speedup": round(one_s / many_s, 3), "max_pixel_diff": round(diff, 4)}))  # fmt: skip


if __name__ == "__main__":
    main()
