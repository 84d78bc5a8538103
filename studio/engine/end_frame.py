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
END_IMAGE_PIPELINES = frozenset({"WanImageToVideoPipeline"})
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


def end_image_kwargs(request: GenerationRequest) -> tuple[dict[str, Any], list[str]]:
    """The pipeline argument for the request's end image (fitted to the clip), and notes."""
    if not request.end_image:
        return {}, []
    from PIL import Image

    pixels, notes = load_image(request.end_image, max_side_px=4096, name="end image")
    pixels, fit_notes = fit_image(pixels, request.width, request.height)
    notes = [f"end image: {n}" for n in (*notes, *fit_notes)]
    return {"last_image": Image.fromarray(pixels)}, ["last frame conditioned on the end image", *notes]
