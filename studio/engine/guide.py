"""Builds the guide video of a request: the motion engine's render of an image (image to video), or the
source clip fitted to the request (video to video)."""

from __future__ import annotations

import numpy as np

from studio.config import Settings
from studio.engine.steering import GuideVideo
from studio.errors import InvalidRequestError
from studio.media.clips import clip_limits, load_clip
from studio.media.fitting import fit_image, load_depth
from studio.media.images import load_image
from studio.motion.camera_io import camera_for
from studio.motion.engine import render_guide, sampling_maps
from studio.motion.moving import moving_masks, source_region
from studio.motion.specs import MotionSpec
from studio.motion.vectors import trajectories_from_specs
from studio.types import GenerationRequest, Mode


class GuideRenderer:
    """``GuideBuilder`` for the runner: image file + ``MotionSpec``, or a source clip -> ``GuideVideo``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def __call__(self, request: GenerationRequest, *, with_maps: bool = True) -> GuideVideo:
        """Render the guide.

        A source clip (mode "v2v") has no sampling maps or arrow masks: no motion field is known for it.

        Raises:
            InvalidRequestError / InvalidMediaError: no image, an unusable image or clip, bad motion values.
        """
        if request.mode == Mode.V2V:
            return self._clip_guide(request)
        if not request.image:
            raise InvalidRequestError("image-to-video needs a source image")
        image, notes = load_image(request.image, max_side_px=max(self._settings.max_side_px, 4096))
        image, fit_notes = fit_image(image, request.width, request.height)
        motion = request.motion or MotionSpec()
        camera = camera_for(motion, request.num_frames, request.width, request.height)
        trajectories = trajectories_from_specs(motion.trajectories)
        depth = None
        if request.depth_map:
            depth = load_depth(request.depth_map, request.width, request.height, motion.camera.plane_depth,
                               is_distance=request.depth_is_distance)  # fmt: skip
            notes.append("depth map used for camera translations")
        frames = render_guide(image, camera, trajectories, request.num_frames, depth=depth)
        maps = np.zeros((0, 0, 0, 2), np.float32)
        if with_maps or trajectories:
            maps = sampling_maps(camera, trajectories, depth=depth)
        moving = None
        if trajectories:  # where the arrows' content is in each frame, for dual-clock denoising
            region = source_region(trajectories, request.num_frames, request.width, request.height)
            moving = moving_masks(region, maps)
        if not with_maps:
            maps = np.zeros((0, 0, 0, 2), np.float32)
        return GuideVideo(frames=frames, maps=maps, notes=tuple(notes + fit_notes), moving=moving)

    def _clip_guide(self, request: GenerationRequest) -> GuideVideo:
        if not request.video:
            raise InvalidRequestError("video to video needs a source video")
        frames, notes = load_clip(request.video, request.num_frames, request.fps, request.width, request.height,
                                  clip_limits(self._settings))  # fmt: skip
        return GuideVideo(frames=frames, maps=np.zeros((0, 0, 0, 2), np.float32), notes=tuple(notes))
