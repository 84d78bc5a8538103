from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InvalidRequestError
from studio.motion.camera import compile_camera
from studio.motion.camera_io import camera_for, camera_to_json, camera_to_re10k
from studio.motion.specs import CameraSpec, MotionSpec


@pytest.mark.parametrize("export", [camera_to_json, camera_to_re10k])
def test_an_imported_camera_file_drives_the_clip_resampled(export) -> None:
    original = compile_camera(CameraSpec(presets=["orbit_left", "zoom_in"]), 33, 320, 192)
    imported = camera_for(MotionSpec(camera_file=export(original)), 17, 160, 96)
    assert imported.num_frames == 17 and (imported.width, imported.height) == (160, 96)
    np.testing.assert_allclose(imported.R[-1], original.R[-1], atol=1e-5)
    np.testing.assert_allclose(imported.R[8], original.R[16], atol=1e-5)  # evenly resampled
    assert imported.K[0][0, 0] == pytest.approx(original.K[0][0, 0] / 2, rel=1e-4)  # intrinsics follow the size


def test_without_a_file_the_presets_are_used() -> None:
    spec = MotionSpec(camera=CameraSpec(presets=["pan_left"]))
    np.testing.assert_allclose(camera_for(spec, 9, 64, 48).R, compile_camera(spec.camera, 9, 64, 48).R)


@pytest.mark.parametrize("text", ["{not json", "https://example\n1 2 3\n", "name only\n"])
def test_malformed_camera_files_are_refused(text: str) -> None:
    with pytest.raises(InvalidRequestError):
        camera_for(MotionSpec(camera_file=text), 9, 64, 48)
