"""Wan 2.1 / 2.2 (and VACE): the pipelines the adapter defaults are written for.

What differs from the defaults: the VACE control video, and Wan's own latent
statistics (already the default ``encode_video``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studio.engine.adapters.base import PipelineAdapter
from studio.types import GenerationRequest

if TYPE_CHECKING:
    from studio.engine.steering import GuideVideo


class WanAdapter(PipelineAdapter):
    """``WanPipeline``, ``WanImageToVideoPipeline`` (first frame, optional last frame), ``WanVACEPipeline``."""

    def control_kwargs(self, pipe: Any, request: GenerationRequest, guide: GuideVideo) -> dict[str, Any]:
        """VACE: the guide as control video; mask 0 keeps frame 0 (the source image), 1 lets the model generate."""
        from PIL import Image

        size = (request.width, request.height)
        masks = [Image.new("L", size, 0 if i == 0 else 255) for i in range(len(guide.frames))]
        return {"video": [Image.fromarray(f) for f in guide.frames], "mask": masks,
                "conditioning_scale": request.control_scale}  # fmt: skip
