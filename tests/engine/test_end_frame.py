"""First and last frame on the Wan I2V demo: the end image reaches the pipeline's conditioning and changes the clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.config import Settings
from studio.engine.demo import ensure_demo
from studio.engine.device import resolve_device
from studio.engine.manager import ModelManager
from studio.engine.registry import ModelRegistry
from studio.engine.runner import GenerationRunner
from studio.errors import InvalidRequestError
from studio.types import GenerationRequest, Mode
from tests.engine.recording_sink import RecordingSink
from tests.engine.test_runner_i2v import F, H, W, _pan_guide


@pytest.fixture
def runner(settings: Settings) -> GenerationRunner:
    registry = ModelRegistry(offline=True)
    device = resolve_device("cpu", "float32")
    return GenerationRunner(settings, registry, ModelManager(settings, registry, device), device, guide_builder=_pan_guide)


@pytest.fixture(scope="module")
def flf2v_demo(tmp_path_factory: pytest.TempPathFactory, shared_model_dir: Path) -> str:
    """The I2V demo with the FLF2V image embedder: positional embeddings for two CLIP images (2 x 65 tokens)."""
    from diffusers import WanImageToVideoPipeline, WanTransformer3DModel

    i2v = ensure_demo(shared_model_dir, ModelRegistry(offline=True).resolve("wan-i2v-demo"))
    pipe = WanImageToVideoPipeline.from_pretrained(i2v)
    config = {**pipe.transformer.config, "pos_embed_seq_len": 2 * 65}
    transformer = WanTransformer3DModel.from_config(config)
    missing, unexpected = transformer.load_state_dict(pipe.transformer.state_dict(), strict=False)
    assert missing == ["condition_embedder.image_embedder.pos_embed"] and not unexpected
    pipe.register_modules(transformer=transformer)
    folder = tmp_path_factory.mktemp("flf2v") / "wan-flf2v-demo"
    pipe.save_pretrained(folder)
    return str(folder)


def _end_image(folder: Path, value: int, size: tuple[int, int] = (W * 2, H * 2)) -> str:
    path = folder / f"end{value}.png"
    Image.fromarray(np.full((size[1], size[0], 3), value, np.uint8)).save(path)
    return str(path)


def _request(**overrides) -> GenerationRequest:
    values = dict(mode=Mode.I2V, prompt="the camera pans", model="wan-i2v-demo", width=W, height=H, num_frames=F, steps=3)
    values.update(overrides)
    return GenerationRequest(**values)


def _mask_of_last_latent_frame(runner: GenerationRunner, request: GenerationRequest) -> tuple[float, np.ndarray]:
    """Run, and read the largest I2V mask value (channels 16..19) of the last latent frame as the transformer sees it."""
    seen = []
    spec = runner._registry.resolve(request.model)
    with runner._manager.use(spec, "i2v") as pipe:
        hook = pipe.transformer.register_forward_pre_hook(
            lambda _m, _a, kw: seen.append(kw["hidden_states"][:, 16:20, -1].max().item()), with_kwargs=True)  # fmt: skip
    try:
        frames = runner.run(request, seed=2, sink=RecordingSink()).frames
    finally:
        hook.remove()
    return seen[0], frames


def test_end_image_conditions_the_last_frame_and_changes_the_clip(runner: GenerationRunner, flf2v_demo: str, tmp_path: Path) -> None:
    mask_without, plain = _mask_of_last_latent_frame(runner, _request())  # the I2V demo: first frame only
    mask_with, dark = _mask_of_last_latent_frame(runner, _request(model=flf2v_demo, end_image=_end_image(tmp_path, 10)))
    _, bright = _mask_of_last_latent_frame(runner, _request(model=flf2v_demo, end_image=_end_image(tmp_path, 240)))
    assert (mask_without, mask_with) == (0.0, 1.0)
    assert not np.array_equal(plain, dark) and not np.array_equal(dark, bright)


def test_end_image_is_fitted_to_the_clip_with_a_note(runner: GenerationRunner, flf2v_demo: str, tmp_path: Path) -> None:
    result = runner.run(_request(model=flf2v_demo, end_image=_end_image(tmp_path, 90)), seed=2, sink=RecordingSink())
    assert "last frame conditioned on the end image" in result.notes
    assert f"end image: image {W * 2}x{H * 2} scaled to {W}x{H}" in result.notes


def test_an_i2v_model_trained_on_the_first_frame_only_refuses_an_end_image(runner: GenerationRunner, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="model 'wan-i2v-demo' was not trained with a last frame"):
        runner.run(_request(end_image=_end_image(tmp_path, 90)), seed=2, sink=RecordingSink())
    assert runner.run(_request(), seed=2, sink=RecordingSink()).frames.shape == (F, H, W, 3)


def test_a_first_and_last_frame_model_needs_an_end_image(runner: GenerationRunner, flf2v_demo: str) -> None:
    with pytest.raises(InvalidRequestError, match="is a first-and-last-frame model: give an end image"):
        runner.run(_request(model=flf2v_demo), seed=2, sink=RecordingSink())
