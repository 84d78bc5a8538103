"""One end-to-end path for every family: a job through the studio (service, worker, runner, export).

Each family's tests call ``generate`` per mode and ``cancel_while_denoising``;
what is checked comes from what the family declares (previews where it has
factors for the loaded latent space), never from its name.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PIL import Image

from studio.container import Container
from studio.media.export import probe_video
from studio.types import GenerationRequest, Job, JobStatus


def source_image(folder: Path, width: int = 64, height: int = 48) -> str:
    """A small textured image (gradients and a square) to animate."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), np.full_like(x, 90)], -1)
    image[height // 4 : height // 2, width // 4 : width // 2] = (240, 240, 40)
    path = folder / "source.png"
    Image.fromarray(image.astype(np.uint8)).save(path)
    return str(path)


def generate(container: Container, request: GenerationRequest, *, expect_previews: bool) -> Job:
    """Run ``request`` as a job to the end; check the video, its size and (when declared) the live previews."""
    job = container.jobs.submit(request)
    done = container.jobs.wait(job.id, timeout_s=300)
    assert done.status == JobStatus.SUCCEEDED, done.error
    folder = container.jobs.output_dir(job.id)
    assert done.outputs.video is not None
    frames, width, height = probe_video(folder / done.outputs.video)
    assert (width, height) == (done.request.width, done.request.height)
    assert frames == done.request.num_frames
    with container.jobs.subscribe(job.id) as events:  # the replayed history
        seen = []
        while (event := events.get(0.2)) is not None:
            seen.append(event)
    previews = [e for e in seen if e.kind == "preview"]
    assert bool(previews) == expect_previews, [e.kind for e in seen]
    assert [e.step for e in seen if e.kind == "progress"][-1] >= 1
    return done


def cancel_while_denoising(container: Container, request: GenerationRequest) -> Job:
    """Cancel ``request`` at its first progress event; the job must end ``canceled`` with no video."""
    job = container.jobs.submit(request)
    canceled = threading.Event()
    with container.jobs.subscribe(job.id) as events:
        while (event := events.get(60)) is not None:
            if event.kind == "progress" and not canceled.is_set():
                container.jobs.cancel(job.id)
                canceled.set()
            if event.kind == "status" and event.status in (JobStatus.CANCELED, JobStatus.FAILED, JobStatus.SUCCEEDED):
                break
    done = container.jobs.wait(job.id, timeout_s=120)
    assert canceled.is_set() and done.status == JobStatus.CANCELED, (done.status, done.error)
    assert done.outputs.video is None
    return done
