"""Context parallelism on the CPU: 2 processes over gloo, the wan demo, Ulysses attention.

The parallel output must equal the single-process output for the same seed, and
each rank's transformer blocks must really see half of the tokens. diffusers 0.42
places ranks on accelerators only (``rank % torch.accelerator.device_count()`` in
``enable_parallelism``); each rank here stands in a device count of 1 for that.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from studio.engine.context_parallel import check_context_parallel, check_model_plan, enable_context_parallel
from studio.engine.demo import ensure_demo
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError

_SIZE = dict(prompt="a lighthouse at dusk", height=64, width=64, num_frames=9, num_inference_steps=2, guidance_scale=5.0)


def _generate(folder: str, rank: int, world: int, port: int, out_dir: str) -> None:
    from diffusers import WanPipeline

    torch.set_num_threads(1)
    pipe = WanPipeline.from_pretrained(folder)
    tokens: list[int] = []
    pipe.transformer.blocks[1].register_forward_pre_hook(lambda _m, args, kwargs: tokens.append(kwargs.get("hidden_states", args[0] if args else None).shape[1]), with_kwargs=True)  # fmt: skip
    if world > 1:
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        dist.init_process_group("gloo", rank=rank, world_size=world)
        torch.accelerator.device_count = lambda: 1  # see the module docstring
        enable_context_parallel(pipe, world)
    frames = pipe(**_SIZE, generator=torch.Generator("cpu").manual_seed(3), output_type="np").frames[0]
    np.save(Path(out_dir) / f"frames{world}_{rank}.npy", frames)
    np.save(Path(out_dir) / f"tokens{world}_{rank}.npy", np.array(tokens))
    if world > 1:
        dist.destroy_process_group()


def _spawned(rank: int, folder: str, world: int, port: int, out_dir: str) -> None:
    _generate(folder, rank, world, port, out_dir)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_folder(shared_model_dir: Path) -> str:
    return str(ensure_demo(shared_model_dir, ModelRegistry(offline=True).resolve("wan-demo")))


def test_two_gloo_processes_give_the_single_process_frames(demo_folder: str, tmp_path: Path) -> None:
    mp.spawn(_spawned, args=(demo_folder, 2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    _generate(demo_folder, 0, 1, 0, str(tmp_path))
    single = np.load(tmp_path / "frames1_0.npy")
    full_tokens = np.load(tmp_path / "tokens1_0.npy")
    for rank in (0, 1):
        assert np.array_equal(np.load(tmp_path / f"frames2_{rank}.npy"), single)
        assert np.array_equal(np.load(tmp_path / f"tokens2_{rank}.npy") * 2, full_tokens)  # each rank: half the tokens


def test_a_degree_the_heads_do_not_divide_or_a_family_without_a_plan_is_refused(demo_folder: str) -> None:
    from diffusers import WanPipeline

    pipe = WanPipeline.from_pretrained(demo_folder)  # 2 attention heads
    check_context_parallel(pipe, 2)
    with pytest.raises(InvalidRequestError, match="has 2 heads, not divisible by 3 processes"):
        check_context_parallel(pipe, 3)
    with pytest.raises(InvalidRequestError, match="at least 2 processes, got 1"):
        check_context_parallel(pipe, 1)
    with pytest.raises(InvalidRequestError, match="has no context-parallel plan"):
        check_context_parallel(object(), 2)


@pytest.mark.parametrize(
    ("model", "mode", "degree", "message"),
    [
        ("wan-demo", "t2v", 3, "model 'wan-demo' cannot run on 3 GPUs: .* its 2 attention heads, which do not divide by 3"),
        ("wan2.1-t2v-1.3b", "t2v", 8, "model 'wan2.1-t2v-1.3b' cannot run on 8 GPUs: .* 12 attention heads"),
        ("cogvideox-demo", "t2v", 2, "model 'cogvideox-demo' cannot run on 2 GPUs: CogVideoXTransformer3DModel has no context-parallel plan"),
        ("wan-vace-demo", "i2v", 2, "model 'wan-vace-demo' cannot run on 2 GPUs: WanVACETransformer3DModel has no"),
        ("motion-warp", "i2v", 2, "model 'motion-warp' has no transformer to split over 2 GPUs"),
    ],
)
def test_a_model_that_cannot_split_is_refused_before_loading(demo_folder: str, shared_model_dir: Path, model: str,
                                                             mode: str, degree: int, message: str) -> None:  # fmt: skip
    registry = ModelRegistry(offline=True)
    with pytest.raises(InvalidRequestError, match=message):
        check_model_plan(registry.resolve(model), mode, degree, registry, shared_model_dir)


def test_a_model_with_a_plan_passes_with_heads_from_its_files_or_its_entry(demo_folder: str, shared_model_dir: Path) -> None:
    registry = ModelRegistry(offline=True)
    check_model_plan(registry.resolve("wan-demo"), "t2v", 2, registry, shared_model_dir)  # 2 heads in its config.json
    check_model_plan(registry.resolve("wan2.1-t2v-1.3b"), "t2v", 4, registry, shared_model_dir)  # 12 declared heads
    check_model_plan(registry.resolve("ltx-demo"), "t2v", 2, registry, shared_model_dir / "empty")  # no files: ranks check
