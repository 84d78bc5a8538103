"""load_image: every odd input becomes uint8 RGB with a note, or a clear InvalidMediaError."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.errors import InvalidMediaError
from studio.media.images import load_image


def _encoded(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _gradient(width: int = 64, height: int = 48) -> np.ndarray:
    x = np.linspace(0, 255, width, dtype=np.float32)
    y = np.linspace(0, 255, height, dtype=np.float32)
    return np.stack(np.broadcast_arrays(x[None, :], y[:, None], 128 + 0 * x[None, :]), axis=-1).astype(np.uint8)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` (no real pixel data): a bomb as far as the header goes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_rgb_png_from_path_bytes_and_pil_is_returned_unchanged(tmp_path: Path) -> None:
    pixels = _gradient()
    path = tmp_path / "g.png"
    Image.fromarray(pixels).save(path)
    for source in (path, str(path), path.read_bytes(), Image.fromarray(pixels)):
        out, notes = load_image(source)
        assert out.dtype == np.uint8 and out.shape == (48, 64, 3) and out.flags.c_contiguous
        np.testing.assert_array_equal(out, pixels)
        assert notes == []


def test_pixel_limit_is_checked_from_the_header_and_names_the_count() -> None:
    data = _encoded(Image.new("RGB", (100, 80)))
    with pytest.raises(InvalidMediaError, match=r"8,000 pixels \(100x80\); the limit is 5,000"):
        load_image(data, max_pixels=5000)


def test_pillow_decompression_bomb_becomes_invalid_media_error() -> None:
    # 30000 x 30000 = 900 M pixels: beyond Pillow's hard limit, refused while reading the header.
    with pytest.raises(InvalidMediaError, match=r"decompression bomb.*900000000 pixels"):
        load_image(_png_header_only(30000, 30000), max_pixels=10**10, name="bomb.png")


def test_pillow_bomb_warning_range_is_refused_too() -> None:
    # 10000 x 10000 = 100 M pixels: between Pillow's warning and error limits.
    with pytest.raises(InvalidMediaError, match=r"decompression bomb.*100000000 pixels"):
        load_image(_png_header_only(10000, 10000), max_pixels=10**10)


def test_huge_image_is_downscaled_with_a_note() -> None:
    out, notes = load_image(_encoded(Image.fromarray(_gradient(400, 100))), max_side_px=200)
    assert out.shape == (50, 200, 3)
    assert notes == ["downscaled from 400x100 to 200x50 (longer side at most 200 px)"]


def test_big_jpeg_is_decoded_at_reduced_scale_and_noted_with_its_stored_size() -> None:
    data = _encoded(Image.fromarray(_gradient(1600, 1200)), "JPEG", quality=95)
    out, notes = load_image(data, max_side_px=300)
    assert out.shape == (225, 300, 3)
    assert notes == ["downscaled from 1600x1200 to 300x225 (longer side at most 300 px)"]
    assert abs(int(out[112, 150, 0]) - 128) < 8  # still the gradient, centre ~ half way


def test_non_image_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, not an image")
    with pytest.raises(InvalidMediaError, match=r"'.*notes\.txt' is not an image in a supported format"):
        load_image(path)
    with pytest.raises(InvalidMediaError, match="upload.bin' is not an image"):
        load_image(b"\x00\x01garbage", name="'upload.bin'")


def test_missing_file_and_truncated_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidMediaError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    data = _encoded(Image.fromarray(_gradient(256, 256)), "JPEG")
    with pytest.raises(InvalidMediaError, match="damaged or truncated"):
        load_image(data[: len(data) // 2])


def test_cmyk_is_converted_with_a_note() -> None:
    cmyk = Image.new("CMYK", (32, 32), (0, 255, 255, 0))  # pure red in CMYK
    out, notes = load_image(_encoded(cmyk, "JPEG", quality=100))
    assert out.shape == (32, 32, 3)
    assert out[16, 16, 0] > 200 and out[16, 16, 1] < 60 and out[16, 16, 2] < 60
    assert any("CMYK" in n for n in notes)


@pytest.mark.parametrize(("background", "expected"), [("white", 255), ("black", 0)])
def test_rgba_is_composited_on_the_chosen_background(background: str, expected: int) -> None:
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:10, :, 3] = 255  # top half opaque red, bottom half fully transparent
    rgba[10:, :10, 3] = 128  # bottom-left half transparent
    out, notes = load_image(_encoded(Image.fromarray(rgba)), background=background)
    np.testing.assert_array_equal(out[0, 0], [200, 0, 0])
    np.testing.assert_array_equal(out[15, 15], [expected, expected, expected])
    assert abs(int(out[15, 5, 1]) - round(expected * 127 / 255)) <= 1
    assert notes == [f"transparent areas composited on {background}"]


def test_opaque_rgba_needs_no_note() -> None:
    rgba = np.full((20, 20, 4), 255, np.uint8)
    out, notes = load_image(Image.fromarray(rgba))
    assert notes == [] and out.shape == (20, 20, 3)


def test_sixteen_bit_grayscale_is_scaled_to_eight_bits() -> None:
    values = np.array([[0, 257 * 100, 65535, 65535]] * 16 * 4, dtype=np.uint16).reshape(16, 16)
    image = Image.fromarray(values)
    out, notes = load_image(_encoded(image))
    assert out.shape == (16, 16, 3)
    assert list(out[0, :3, 0]) == [0, 100, 255] and (out[..., 0] == out[..., 2]).all()
    assert any("16-bit" in n for n in notes)


def test_32_bit_integer_image_uses_the_16_bit_range() -> None:
    image = Image.fromarray(np.full((16, 16), 32896, np.int32))
    out, notes = load_image(image)
    assert int(out[0, 0, 1]) == 128 and notes


def test_palette_la_and_gray_images_become_rgb() -> None:
    palette = Image.fromarray(_gradient()).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    out, notes = load_image(_encoded(palette))
    assert out.shape == (48, 64, 3) and "palette image converted to RGB" in notes
    gray = Image.fromarray(np.full((16, 16), 77, np.uint8))
    out, notes = load_image(_encoded(gray))
    assert (out == 77).all() and notes == ["grayscale image converted to RGB"]
    la = Image.merge("LA", (gray, Image.new("L", (16, 16), 0)))
    out, notes = load_image(_encoded(la), background="black")
    assert (out == 0).all() and notes == ["transparent areas composited on black"]


def test_palette_with_transparency_is_composited() -> None:
    image = Image.new("P", (16, 16), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.info["transparency"] = 1
    out, notes = load_image(_encoded(image, transparency=1))
    assert (out == 255).all() and "transparent areas composited on white" in notes


def test_exif_orientation_is_applied() -> None:
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = (255, 0, 0)  # left half red, right half blue
    pixels[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs a 90-degree clockwise turn
    out, notes = load_image(_encoded(Image.fromarray(pixels), "JPEG", exif=exif.tobytes(), quality=100))
    assert out.shape == (40, 20, 3)
    assert out[5, 10, 0] > 200 and out[35, 10, 2] > 200  # the left (red) half is now on top
    assert notes == ["rotated/flipped upright from EXIF orientation 6"]


def test_too_small_image_is_refused_with_its_size() -> None:
    with pytest.raises(InvalidMediaError, match="is 12x8 pixels; its shorter side must be at least 16 px"):
        load_image(Image.new("RGB", (12, 8)))
    out, _ = load_image(Image.new("RGB", (12, 8)), min_side_px=8)
    assert out.shape == (8, 12, 3)


def test_animated_gif_keeps_the_first_frame() -> None:
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 255, 0))]
    data = _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    out, notes = load_image(data)
    assert out[0, 0, 0] > 200 and out[0, 0, 1] < 50
    assert "the image has 2 frames; the first one is used" in notes


def test_refused_format_is_not_decoded() -> None:
    data = _encoded(Image.new("RGB", (16, 16)), "PCX")
    with pytest.raises(InvalidMediaError, match="not an image in a supported format"):
        load_image(data)
