"""HunyuanVideo FramePack (``HunyuanVideoFramepackPipeline``): image to video in sections.

What differs from the defaults:
  * the VAE config names its channels ``latent_channels``;
  * ``latent_window_size`` (latent frames per section, the family's call argument) and no negative
    prompt (the guidance is distilled into the transformer);
  * the pipeline's step index restarts with each section: the run has ``steps x sections`` steps, and
    previews are labelled by where the section lands in the clip;
  * each finished section is decoded by the VAE inside the section loop; a wrapper on
    ``pipe.vae.decode`` hands the decoded frames to the studio as a segment (all but the last:
    the whole clip follows it at once, and writing it would only delay the clip);
  * frame conditioning: when the guide moves (camera path, arrows), its last frame becomes
    the pipeline's ``last_image``, so the clip ends where the guide ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.engine.adapters.base import PipelineAdapter, SegmentEmitter
from studio.engine.families.base import LatentGeometry
from studio.engine.families.hunyuan_facts import FRAMEPACK_LATENT_WINDOW
from studio.types import GenerationRequest

if TYPE_CHECKING:
    from studio.engine.steering import GuideVideo


class FramePackAdapter(PipelineAdapter):
    """FramePackI2V_HY: inverted anti-drifting sampling (sections made from the clip's end to its start)."""

    def call_kwargs(self, pipe: Any, request: GenerationRequest) -> dict[str, Any]:
        """The request's text, size, length, steps and (distilled) guidance; the window is a family fact."""
        return {
            "prompt": request.prompt,
            "height": request.height,
            "width": request.width,
            "num_frames": request.num_frames,
            "num_inference_steps": request.steps,
            "guidance_scale": request.guidance_scale,
        }

    @staticmethod
    def sections(num_frames: int, window: int, temporal_compression: int) -> int:
        """How many windows the pipeline makes for ``num_frames`` (each ``(window - 1) x t + 1`` frames)."""
        window_frames = (window - 1) * temporal_compression + 1
        return max(1, -(-num_frames // window_frames))

    def denoising_steps(self, request: GenerationRequest, fixed: dict[str, Any], geometry: LatentGeometry,
                        skip: int) -> int:  # fmt: skip
        """Every section runs the whole schedule."""
        return (request.steps - skip) * self.sections(request.num_frames, _window(fixed), geometry.temporal_compression)

    def window_start(self, done: int, request: GenerationRequest, fixed: dict[str, Any], geometry: LatentGeometry,
                     skip: int) -> int:  # fmt: skip
        """Inverted anti-drifting: section ``k`` (in the order made) lands after the first frame's latent and the
        ``total - 1 - k`` sections made after it (they are placed before it)."""
        window = _window(fixed)
        total = self.sections(request.num_frames, window, geometry.temporal_compression)
        made = min(total - 1, (done - 1) // max(1, request.steps - skip))
        return 1 + (total - 1 - made) * window

    def image_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """The source image; and a moving guide's last frame as ``last_image`` (unless an end image is given)."""
        from PIL import Image

        kwargs: dict[str, Any] = {"image": Image.fromarray(guide.frames[0])}
        if not request.end_image and not np.array_equal(guide.frames[0], guide.frames[-1]):
            kwargs["last_image"] = Image.fromarray(guide.frames[-1])
        return kwargs

    @contextmanager
    def segments(self, pipe: Any, request: GenerationRequest, fixed: dict[str, Any],
                 emit: SegmentEmitter) -> Iterator[None]:  # fmt: skip
        """Each VAE decode in the call is one finished section: its frames go to ``emit`` as uint8, but for the
        last one's: the pipeline returns the whole clip right after it (as SkyReels' last window)."""
        vae = pipe.vae
        decode = vae.decode
        own = "decode" in vars(vae)  # an instance attribute (another wrapper) to put back as it was
        total = self.sections(request.num_frames, _window(fixed), int(pipe.vae_scale_factor_temporal))
        done = 0

        def decode_and_emit(latents: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal done
            out = decode(latents, *args, **kwargs)
            if done < total - 1:  # the last section is done with the whole clip, which comes at once
                video = out[0] if isinstance(out, tuple) else out.sample  # (B, C, F, H, W) in [-1, 1]
                frames = ((video[0].permute(1, 2, 3, 0).float().clamp(-1, 1) + 1) * 127.5).round().byte().cpu().numpy()
                emit(frames, done, total)
            done += 1
            return out

        vae.decode = decode_and_emit
        try:
            yield
        finally:
            if own:
                vae.decode = decode
            else:
                del vae.decode  # back to the class's method


def _window(fixed: dict[str, Any]) -> int:
    """Latent frames per section: the call's ``latent_window_size`` (the family declares the released one)."""
    return int(fixed.get("latent_window_size", FRAMEPACK_LATENT_WINDOW))
