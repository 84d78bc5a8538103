"""Safe image loading: any common still image in, uint8 RGB (H, W, 3) out.

What is refused (:class:`~studio.errors.InvalidMediaError`, naming the file):
files that are not images of an allowed format, truncated files, images with
more than ``max_pixels`` pixels (checked from the header before decoding, with
Pillow's own decompression-bomb guard as a backstop), and images whose shorter
side is below ``min_side_px``.

What is fixed, with a note for the user: EXIF orientation is applied, images
whose longer side exceeds ``max_side_px`` are downscaled, transparency is
composited on white (or black), CMYK / palette / grayscale / 16- and 32-bit
images are converted to 8-bit RGB, and only the first frame of an animation
is kept.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from studio.errors import InvalidMediaError

#: Decoders Pillow may use; anything else (EPS, PSD, ...) is refused unread.
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "PPM", "TGA")
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_SIDE_PX = 4096
DEFAULT_MIN_SIDE_PX = 16

ImageSource = str | Path | bytes | bytearray | Image.Image
Background = Literal["white", "black"]


def load_image(source: ImageSource, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
               min_side_px: int = DEFAULT_MIN_SIDE_PX, background: Background = "white",
               name: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Load ``source`` (a path, encoded bytes or a PIL image) as uint8 RGB.

    Args:
        source: a file path, the bytes of an encoded image, or a PIL image.
        max_pixels: refuse images with more pixels than this (width x height).
        max_side_px: downscale so the longer side is at most this (None: never).
        min_side_px: refuse images whose shorter side is below this.
        background: what transparent pixels are composited on.
        name: how to call the image in messages (default: the path, or "the uploaded image").

    Returns:
        (pixels, notes): a C-contiguous uint8 (H, W, 3) array and one line per
        change made to the image (empty when none).

    Raises:
        InvalidMediaError: see the module docstring; the message names the image.
    """
    label = name or (f"'{source}'" if isinstance(source, str | Path) else "the uploaded image")
    notes: list[str] = []
    image = _open(source, label)
    try:
        pixels, header_size = _read(image, label, max_pixels, max_side_px, background, notes)
    finally:
        if image is not source:
            image.close()
    _check_min_side(pixels, label, min_side_px)
    pixels = _downscaled(pixels, max_side_px, header_size, notes)
    return np.ascontiguousarray(pixels), notes


def _read(image: Image.Image, label: str, max_pixels: int, max_side_px: int | None, background: Background,
          notes: list[str]) -> tuple[np.ndarray, tuple[int, int]]:
    """Check, decode, orient and convert; also return the upright size as stored (before any draft scaling)."""
    with warnings.catch_warnings():
        # Pillow warns (rather than fails) between its two bomb limits: treat that as a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            _check_pixels(image, label, max_pixels)
            header_size = image.size
            image = _first_frame(image, notes)
            image = _decode(image, label, max_side_px)
            image, swapped = _oriented(image, notes)
            pixels = _to_rgb(image, background, notes)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidMediaError(f"{label} is refused as a possible decompression bomb: {exc}") from None
    return pixels, (header_size[::-1] if swapped else header_size)


def _open(source: ImageSource, label: str) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, bytes | bytearray):
        stream: str | Path | io.BytesIO = io.BytesIO(bytes(source))
    elif isinstance(source, str | Path):
        if not Path(source).is_file():
            raise InvalidMediaError(f"image file {label} does not exist")
        stream = source
    else:
        raise InvalidMediaError(f"cannot read an image from a {type(source).__name__}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(stream, formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidMediaError(f"{label} is refused as a possible decompression bomb: {exc}") from None
    except UnidentifiedImageError:
        raise InvalidMediaError(
            f"{label} is not an image in a supported format ({', '.join(ALLOWED_FORMATS)})"
        ) from None
    except OSError as exc:
        raise InvalidMediaError(f"{label} could not be read: {exc}") from None


def _check_pixels(image: Image.Image, label: str, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise InvalidMediaError(
            f"{label} has {width * height:,} pixels ({width}x{height}); the limit is {max_pixels:,}"
        )


def _first_frame(image: Image.Image, notes: list[str]) -> Image.Image:
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        image.seek(0)
        notes.append(f"the image has {frames} frames; the first one is used")
    return image


def _decode(image: Image.Image, label: str, max_side_px: int | None) -> Image.Image:
    """Decode pixels (JPEGs straight at a reduced scale when much larger than needed)."""
    if max_side_px is not None and image.format == "JPEG" and max(image.size) > 2 * max_side_px:
        scale = max_side_px / max(image.size)
        image.draft("RGB" if image.mode == "RGB" else image.mode,
                    (max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    try:
        image.load()
    except OSError as exc:
        raise InvalidMediaError(f"{label} is damaged or truncated: {exc}") from None
    return image


def _oriented(image: Image.Image, notes: list[str]) -> tuple[Image.Image, bool]:
    """The image turned upright per its EXIF orientation, and whether width and height swapped."""
    orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation tag
    if orientation not in (2, 3, 4, 5, 6, 7, 8):
        return image, False
    notes.append(f"rotated/flipped upright from EXIF orientation {orientation}")
    return ImageOps.exif_transpose(image), orientation in (5, 6, 7, 8)


def _to_rgb(image: Image.Image, background: Background, notes: list[str]) -> np.ndarray:
    """Convert any mode to uint8 RGB, noting lossy or visible changes."""
    mode = image.mode
    if mode == "RGB":
        return np.asarray(image, dtype=np.uint8)
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _high_depth_to_rgb(image, notes)
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        notes.append("palette image converted to RGB")
    elif mode == "PA":
        image = image.convert("RGBA")
    elif mode == "CMYK":
        notes.append("CMYK image converted to RGB (colours may shift slightly)")
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    elif mode in ("L", "1"):
        notes.append("grayscale image converted to RGB")
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        return _composite(image, background, notes)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _composite(image: Image.Image, background: Background, notes: list[str]) -> np.ndarray:
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    alpha = rgba[..., 3:4] / 255.0
    if alpha.min() >= 1.0:
        return np.ascontiguousarray(rgba[..., :3].astype(np.uint8))
    fill = 255.0 if background == "white" else 0.0
    notes.append(f"transparent areas composited on {background}")
    return np.round(rgba[..., :3] * alpha + fill * (1.0 - alpha)).astype(np.uint8)


def _high_depth_to_rgb(image: Image.Image, notes: list[str]) -> np.ndarray:
    """16-bit and 32-bit integer images are read as 0..65535; float images as 0..1."""
    values = np.asarray(image).astype(np.float64)
    if image.mode == "F":
        scaled = np.clip(np.nan_to_num(values), 0.0, 1.0) * 255.0
        notes.append("32-bit float image (0..1) converted to 8-bit RGB")
    else:
        scaled = np.clip(values, 0.0, 65535.0) / 257.0
        notes.append(f"{image.mode} image (16-bit range) converted to 8-bit RGB")
    gray = np.round(scaled).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def _check_min_side(pixels: np.ndarray, label: str, min_side_px: int) -> None:
    height, width = pixels.shape[:2]
    if min(height, width) < min_side_px:
        raise InvalidMediaError(
            f"{label} is {width}x{height} pixels; its shorter side must be at least {min_side_px} px"
        )


def _downscaled(pixels: np.ndarray, max_side_px: int | None, stored_size: tuple[int, int],
                notes: list[str]) -> np.ndarray:
    """Shrink so the longer side is ``max_side_px``; the note gives the size as stored in the file."""
    height, width = pixels.shape[:2]
    if max_side_px is None or max(stored_size) <= max_side_px:
        return pixels
    scale = max_side_px / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))
    notes.append(
        f"downscaled from {stored_size[0]}x{stored_size[1]} to {size[0]}x{size[1]} (longer side at most {max_side_px} px)"
    )
    return resized
