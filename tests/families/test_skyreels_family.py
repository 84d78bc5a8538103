"""SkyReels-V2 diffusion forcing: long clips window by window, through the family end-to-end path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from studio.container import Container
from studio.engine.adapters.skyreels import SkyReelsAdapter, windows
from studio.engine.families.base import LatentGeometry
from studio.engine.families.skyreels import build_full_size
from studio.engine.registry import ModelRegistry
from studio.media.export import probe_video
from studio.motion.specs import CameraSpec, MotionSpec
from studio.types import GenerationRequest
from tests.families.harness import cancel_while_denoising, generate, source_image

SMALL = dict(width=64, height=48, fps=8, steps=2)
WAN21 = LatentGeometry(16, 4, 8)


def test_a_clip_longer_than_the_window_is_made_window_after_window(container: Container) -> None:
    request = GenerationRequest(prompt="a fox runs", model="skyreels-demo", num_frames=33, **SMALL)
    done = generate(container, request, expect_previews=True)
    with container.jobs.subscribe(done.id) as events:
        seen = []
        while (event := events.get(0.2)) is not None:
            seen.append(event)
    # 17-frame windows overlapping by 5: 9 latent frames in three windows of 5, 5 and 3, each with 2 steps
    progress = [(e.step, e.total_steps) for e in seen if e.kind == "progress"]
    assert progress == [(i, 6) for i in range(1, 7)]
    labels = [frame for e in seen if e.kind == "preview" for frame in e.preview_frames]
    assert max(labels) == 32 and min(labels) == 0  # the last window's previews stand for the clip's end
    # finished windows are shown while the next denoise: windows 1 and 2 (the last comes as the whole clip)
    kinds = [e.kind for e in seen]
    segments = [e for e in seen if e.kind == "segment"]
    assert [(e.segment_index, e.segment_total) for e in segments] == [(0, 3), (1, 3)]
    assert max(i for i, k in enumerate(kinds) if k == "segment") < kinds.index("output")
    assert [e.step for e in segments] == [2, 4]  # each handed over when its window was done, before the next denoised
    # 5 latent frames (17 video frames), then the second window's 3 new latent frames: 12 frames, as in the clip
    assert [probe_video(e.output_path)[0] for e in segments] == [17, 12]


def test_sections_are_the_clips_own_frames_decoded_once(container: Container) -> None:
    """The final decode reuses the sections' decodes: the same frames as the pipeline alone, no frame decoded twice."""
    request = GenerationRequest(prompt="a fox runs", model="skyreels-demo", num_frames=33, **SMALL)
    spec = container.registry.resolve("skyreels-demo")
    adapter, fixed = SkyReelsAdapter(), container.registry.call_kwargs(spec)
    kwargs = {**adapter.call_kwargs(object(), request), **fixed, "output_type": "np"}
    with torch.inference_mode(), container.manager.use(spec, "t2v") as pipe:
        bare = pipe(**kwargs, generator=torch.Generator().manual_seed(7)).frames[0]
        decoded: list[int] = []  # latent frames through the VAE's decoder, per decode call
        sections: list = []
        counting = pipe.vae.decoder.register_forward_pre_hook(lambda _m, args: decoded.append(args[0].shape[2]))
        try:
            with adapter.segments(pipe, request, fixed, lambda frames, i, n: sections.append((frames, i, n))):
                studio = pipe(**kwargs, generator=torch.Generator().manual_seed(7)).frames[0]
        finally:
            counting.remove()
        assert "decode" not in vars(pipe.vae) and "prepare_latents" not in vars(pipe)  # put back
    assert np.abs(studio - bare).max() < 1e-4  # the joined pieces are the pipeline's own decode
    assert decoded == [1] * 9  # each of the clip's 9 latent frames through the decoder once (5, 3, then 1)
    assert [(i, n) for _f, i, n in sections] == [(0, 3), (1, 3)]
    shown = np.concatenate([f for f, _i, _n in sections]).astype(int)
    final = (np.clip(bare[: len(shown)], 0, 1) * 255).round().astype(int)
    assert np.abs(shown - final).max() <= 1  # the sections are the clip's first 29 frames


def test_the_same_seed_gives_the_same_long_clip_whatever_the_global_generator_holds(runner) -> None:
    """The pipeline noises each later window's history from torch's global generator: the runner seeds it from
    the job's seed for the call (and puts it back after), so a seed is a clip, as a shared link promises."""
    from tests.engine.recording_sink import RecordingSink

    request = GenerationRequest(prompt="a fox runs", model="skyreels-demo", num_frames=33, seed=11, **SMALL)
    first = runner.run(request, seed=11, sink=RecordingSink()).frames
    torch.manual_seed(987)  # another state, as another job or library leaves it
    torch.rand(1000)
    state = torch.get_rng_state()
    again = runner.run(request, seed=11, sink=RecordingSink()).frames
    assert torch.equal(torch.get_rng_state(), state)  # the global generator is as the run found it
    assert np.array_equal(first, again)
    other = runner.run(request.model_copy(update={"seed": 12}), seed=12, sink=RecordingSink()).frames
    assert not np.array_equal(first, other)


def test_a_clip_within_one_window_is_one_window(container: Container) -> None:
    request = GenerationRequest(prompt="a fox runs", model="skyreels-demo", num_frames=17, **SMALL)
    generate(container, request, expect_previews=True)


def test_image_to_video_conditions_on_the_image_and_follows_the_camera(container: Container, tmp_path: Path) -> None:
    request = GenerationRequest(mode="i2v", prompt="a fox", model="skyreels-demo", image=source_image(tmp_path),
                                num_frames=17, motion=MotionSpec(camera=CameraSpec(presets=["zoom_in"])),
                                guide_strength=0.5, **SMALL)  # fmt: skip
    generate(container, request, expect_previews=True)


@pytest.mark.parametrize("guide_strength", [0.0, 0.5])
def test_image_to_video_of_a_clip_whose_last_window_is_short(container: Container, tmp_path: Path,
                                                            guide_strength: float) -> None:  # fmt: skip
    # 33 frames: windows of 5, 5 and 3 latent frames; diffusers' image-to-video pipeline sized the last window's
    # step matrix by the full window and failed with an IndexError (the adapter sizes it by the window)
    request = GenerationRequest(mode="i2v", prompt="a fox", model="skyreels-demo", image=source_image(tmp_path),
                                num_frames=33, motion=MotionSpec(camera=CameraSpec(presets=["pan_left"])),
                                guide_strength=guide_strength, **SMALL)  # fmt: skip
    done = generate(container, request, expect_previews=True)
    assert done.request.num_frames == 33


def test_cancel_while_denoising_a_long_clip(container: Container) -> None:
    cancel_while_denoising(container, GenerationRequest(prompt="a fox", model="skyreels-demo", num_frames=33,
                                                        **{**SMALL, "steps": 20}))  # fmt: skip


@pytest.mark.parametrize(
    ("frames", "fixed", "expected"),
    [
        (97, {"base_num_frames": 97, "overlap_history": 17}, (1, 25, 0)),
        (257, {"base_num_frames": 97, "overlap_history": 17}, (3, 25, 20)),
        (33, {"base_num_frames": 17, "overlap_history": 5}, (3, 5, 3)),
        (33, {}, (1, 9, 0)),
    ],
)
def test_windows_are_counted_as_the_pipeline_counts_them(frames: int, fixed: dict, expected: tuple) -> None:
    assert windows(frames, fixed, WAN21) == expected


@pytest.mark.parametrize(("key", "wan_published_b"), [("1.3b", 1.419), ("14b", 14.288)])
def test_full_size_transformers_are_wan_21_with_an_fps_embedding(key: str, wan_published_b: float) -> None:
    """SkyReels-V2 DF is the Wan 2.1 transformer plus an fps embedding: within 2% of Wan 2.1's published size."""
    with torch.device("meta"):
        transformer = build_full_size(key)
    params = sum(p.numel() for p in transformer.parameters()) / 1e9
    assert params == pytest.approx(wan_published_b, rel=0.02) and params > wan_published_b
    registered = {"1.3b": "skyreels-v2-df-1.3b-540p", "14b": "skyreels-v2-df-14b-540p"}[key]
    facts = ModelRegistry(offline=True).resolve(registered).components["transformer"]
    assert facts.params_b == pytest.approx(params, rel=0.002)


def test_a_diffusion_forcing_folder_resolves_to_the_family(tmp_path: Path) -> None:
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "SkyReelsV2DiffusionForcingPipeline"}))
    spec = ModelRegistry(offline=True).resolve(str(tmp_path))
    assert spec.family == "skyreels" and spec.modes == ("t2v",)


@pytest.mark.parametrize(("frames", "note"), [(30, "frames rounded from 30 to 29"), (31, "frames rounded from 31 to 33")])
def test_frame_counts_off_the_rule_are_rounded_with_a_note(container: Container, frames: int, note: str) -> None:
    job = container.jobs.submit(GenerationRequest(prompt="a fox", model="skyreels-demo", num_frames=frames, **SMALL))
    assert note in (job.message or "")
    container.jobs.cancel(job.id)
