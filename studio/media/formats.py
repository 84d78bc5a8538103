"""Export settings a request carries: format, quality and speed. Pure pydantic, no studio imports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ExportFormat = Literal["mp4", "webm", "gif", "png_zip"]
X264Preset = Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]

#: the output's file name per format (in the job's folder).
FILE_NAMES: dict[str, str] = {"mp4": "video.mp4", "webm": "video.webm", "gif": "video.gif", "png_zip": "frames.zip"}
#: constant-quality value used when a request gives none (x264 CRF 0-51, VP9 CRF 0-63; lower = better).
DEFAULT_CRF: dict[str, int] = {"mp4": 18, "webm": 31}


class ExportSettings(BaseModel):
    """How the clip is written: mp4 (H.264), webm (VP9), animated GIF (one palette) or PNG frames in a zip."""

    model_config = ConfigDict(extra="forbid")

    format: ExportFormat = "mp4"
    #: constant quality (mp4: x264 CRF 0-51, webm: VP9 CRF 0-63); None = the format's default. Ignored for gif and png_zip.
    crf: int | None = Field(None, ge=0, le=63)
    #: x264 speed/size trade-off (mp4 only).
    preset: X264Preset = "medium"

    @property
    def file_name(self) -> str:
        return FILE_NAMES[self.format]
