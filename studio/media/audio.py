"""A generated sound track, as data the export can mux: float samples and their rate (numpy, no torch)."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.errors import InvalidMediaError

_MAX_CHANNELS = 8


@dataclass(frozen=True)
class AudioTrack:
    """Float samples in [-1, 1] shaped (samples, channels), played at ``sample_rate`` Hz.

    Raises:
        InvalidMediaError: samples that are not a finite 2-D float array with 1-8 channels, or a rate below 1 Hz.
    """

    samples: np.ndarray
    sample_rate: int

    def __post_init__(self) -> None:
        samples = self.samples
        if not isinstance(samples, np.ndarray) or samples.ndim != 2 or not 1 <= samples.shape[1] <= _MAX_CHANNELS:
            raise InvalidMediaError(f"audio samples must be an array (samples, 1-{_MAX_CHANNELS} channels), "
                                    f"got {getattr(samples, 'shape', type(samples).__name__)}")  # fmt: skip
        if not np.issubdtype(samples.dtype, np.floating) or not np.isfinite(samples).all():
            raise InvalidMediaError(f"audio samples must be finite floats, got {samples.dtype}")
        if self.sample_rate < 1:
            raise InvalidMediaError(f"audio sample rate must be a positive number of Hz, got {self.sample_rate}")

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def fitted(self, duration_s: float) -> AudioTrack:
        """This track cut, or padded with silence at the end, to ``duration_s`` (the video's length).

        A generator's sound track can miss the clip's length by a fraction of its
        latent step (LTX-2: 40 ms); the export keeps audio and video the same length.
        """
        count = max(1, round(duration_s * self.sample_rate))
        samples = self.samples[:count]
        if len(samples) < count:
            samples = np.pad(samples, ((0, count - len(samples)), (0, 0)))
        return AudioTrack(samples, self.sample_rate)

    @classmethod
    def read_wav(cls, path: Path) -> AudioTrack:
        """A 16-bit PCM WAV file (what ``write_wav`` writes) as a track.

        Raises:
            InvalidMediaError: the file is missing, not a WAV, or not 16-bit PCM.
        """
        try:
            with wave.open(str(path), "rb") as source:
                if source.getsampwidth() != 2:
                    raise InvalidMediaError(f"{path.name} is {8 * source.getsampwidth()}-bit audio; 16-bit PCM is read")
                pcm = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
                channels, rate = source.getnchannels(), source.getframerate()
        except (OSError, EOFError, wave.Error) as exc:
            raise InvalidMediaError(f"the sound track {path.name} cannot be read ({exc})") from None
        return cls((pcm.reshape(-1, channels) / 32767.0).astype(np.float32), rate)

    def write_wav(self, path: Path) -> Path:
        """Write 16-bit PCM WAV (what ffmpeg reads to encode the track); samples are clipped to [-1, 1]."""
        pcm = (np.clip(self.samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
        with wave.open(str(path), "wb") as out:
            out.setnchannels(self.channels)
            out.setsampwidth(2)
            out.setframerate(self.sample_rate)
            out.writeframes(pcm.tobytes())
        return path
