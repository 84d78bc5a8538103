"""First-and-last-frame image to video: the optional end image (no torch here).

Decision: the end image must have the source image's aspect ratio (within
1%). It is then fitted to the clip exactly like the source (scaled, centred),
with a note when it was resized. An end image of another aspect ratio is
refused at submit: cropping the two frames differently would move the scene
between them, which is not what the user drew.
"""

from __future__ import annotations

from typing import Any

from studio.errors import InvalidRequestError
from studio.media.fitting import fit_image
from studio.media.images import load_image
from studio.types import GenerationRequest

#: diffusers pipelines whose call takes ``last_image`` (first-and-last-frame conditioning).
END_IMAGE_PIPELINES = frozenset({"WanImageToVideoPipeline", "HunyuanVideoFramepackPipeline"})
_ASPECT_TOLERANCE = 0.01


def check_end_image(image: str, end_image: str) -> None:
    """Refuse an end image whose aspect ratio differs from the source image's.

    Raises:
        InvalidRequestError: naming both sizes.
        InvalidMediaError: the end image is not a usable image.
    """
    src_h, src_w = load_image(image, max_side_px=None)[0].shape[:2]
    end_h, end_w = load_image(end_image, max_side_px=None, name="end image")[0].shape[:2]
    if abs((end_w / end_h) / (src_w / src_h) - 1.0) > _ASPECT_TOLERANCE:
        raise InvalidRequestError(
            f"end image is {end_w}x{end_h} but the source image is {src_w}x{src_h}: the first and last frames "
            f"must have the same aspect ratio (resize or crop the end image to {src_w}:{src_h})"
        )


def end_image_kwargs(request: GenerationRequest, pipe: Any) -> tuple[dict[str, Any], list[str]]:
    """The pipeline argument for the request's end image (fitted to the clip), and notes.

    Submit checked the pipeline class; whether the loaded weights were trained for two
    frames is only known now: Wan 2.1 FLF2V's image embedder has positional embeddings
    for two CLIP images (``pos_embed_seq_len``), the I2V models' for one.

    Raises:
        InvalidRequestError: the loaded model cannot condition on a last frame, or it needs one
            and the request has none.
    """
    config: dict[str, Any] = dict(getattr(getattr(pipe, "transformer", None), "config", None) or {})
    image_dim = config.get("image_dim") is not None
    if not request.end_image:
        if image_dim and config.get("pos_embed_seq_len") is not None:
            raise InvalidRequestError(f"model {request.model!r} is a first-and-last-frame model: give an end image")
        return {}, []
    from PIL import Image

    one_image = image_dim and config.get("pos_embed_seq_len") is None
    if one_image or getattr(pipe, "config", {}).get("expand_timesteps"):
        raise InvalidRequestError(
            f"model {request.model!r} was not trained with a last frame (its image conditioning takes the first frame "
            f"only); use a first-and-last-frame model such as wan2.1-flf2v-14b-720p, or leave the end image empty"
        )

    pixels, notes = load_image(request.end_image, max_side_px=4096, name="end image")
    pixels, fit_notes = fit_image(pixels, request.width, request.height)
    notes = [f"end image: {n}" for n in (*notes, *fit_notes)]
    return {"last_image": Image.fromarray(pixels)}, ["last frame conditioned on the end image", *notes]
