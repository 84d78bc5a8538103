"""Sound tracks in exports: muxed into mp4 (AAC) and webm (Opus) at the video's length, left out of GIF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.errors import InvalidMediaError
from studio.media.audio import AudioTrack
from studio.media.export import audio_facts, export_video, probe_audio, probe_video, read_embedded_metadata
from studio.media.formats import ExportSettings


def _frames(count: int = 9) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (count, 32, 48, 3), dtype=np.uint8)


def _tone(seconds: float, rate: int = 24000) -> AudioTrack:
    t = np.arange(round(seconds * rate)) / rate
    return AudioTrack(np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 660 * t)], 1).astype(np.float32) * 0.5, rate)


@pytest.mark.parametrize(("fmt", "codec"), [("mp4", "aac"), ("webm", "opus")])
def test_the_track_is_muxed_at_the_video_length(tmp_path: Path, fmt: str, codec: str) -> None:
    # 1.0 s of sound under a 1.5 s clip (12 frames at 8 fps): padded with silence to the clip's length
    path = export_video(_frames(12), tmp_path / f"v.{fmt}", 8, {"seed": 3}, settings=ExportSettings(format=fmt),
                        audio=_tone(1.0))  # fmt: skip
    found = probe_audio(path)
    assert found is not None and found[0] == codec and found[2] == 2
    assert found[3] == pytest.approx(1.5, abs=0.05)
    assert probe_video(path) == (12, 48, 32) and read_embedded_metadata(path) == {"seed": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"v.{fmt}"]  # no WAV or video-only file left behind


# 48 stereo samples (int16) of the LTX-2 demo's random-weight vocoder, which repeats with this period: as PCM,
# ffmpeg's format probe takes it for an MPEG-TS stream and refuses to open the WAV unless its format is named.
_MISPROBED_PERIOD = (
    [18404, 16860, 16728, 18145, 18527, 16240, 17381, 17377, 18301, 16862, 16808, 18117, 18501, 16301, 17349, 17320,
     18372, 16882, 16767, 18093, 18511, 16301, 17369, 17365, 18297, 16858, 16825, 18100, 18529, 16307, 17327, 17332,
     18366, 16884, 16760, 18138, 18549, 16250, 17337, 17362, 18377, 16865, 16741, 18145, 18535, 16234, 17381, 17366],
    [-6315, -3759, -2603, -915, -6710, -2434, -3621, -1192, -6237, -3690, -2724, -878, -6605, -2515, -3715, -1079,
     -6238, -3721, -2696, -920, -6633, -2473, -3628, -1167, -6259, -3684, -2742, -835, -6619, -2559, -3648, -1073,
     -6301, -3767, -2635, -812, -6720, -2521, -3630, -1090, -6306, -3744, -2626, -887, -6715, -2434, -3643, -1187],
)  # fmt: skip


def test_a_track_ffmpeg_would_misprobe_is_still_muxed(tmp_path: Path) -> None:
    period = np.asarray(_MISPROBED_PERIOD, dtype=np.float32).T / 32767.0
    track = AudioTrack(np.tile(period, (500, 1)), 24000)
    found = probe_audio(export_video(_frames(), tmp_path / "v.mp4", 8, {}, audio=track))
    assert found is not None and found[0] == "aac"


def test_a_longer_track_is_cut_to_the_clip(tmp_path: Path) -> None:
    found = probe_audio(export_video(_frames(8), tmp_path / "v.mp4", 8, {}, audio=_tone(3.0)))
    assert found is not None and found[3] == pytest.approx(1.0, abs=0.05)


def test_gif_has_no_sound_track_and_the_metadata_says_so(tmp_path: Path) -> None:
    track = _tone(1.0)
    path = export_video(_frames(), tmp_path / "v.gif", 8, {}, settings=ExportSettings(format="gif"), audio=track)
    assert probe_audio(path) is None
    facts = audio_facts(track, "gif")
    assert facts is not None and facts["generated"] and not facts["in_file"] and "gif has no sound track" in facts["note"]
    assert audio_facts(track, "mp4") == {"generated": True, "sample_rate_hz": 24000, "channels": 2, "duration_s": 1.0,
                                         "in_file": True, "codec": "aac"}  # fmt: skip
    assert audio_facts(None, "mp4") is None


def test_a_video_without_sound_has_no_audio_stream(tmp_path: Path) -> None:
    assert probe_audio(export_video(_frames(), tmp_path / "v.mp4", 8, {})) is None


def test_fitting_pads_with_silence_and_cuts(tmp_path: Path) -> None:
    track = _tone(1.0, rate=1000)
    longer = track.fitted(1.5)
    assert longer.samples.shape == (1500, 2) and not longer.samples[1000:].any()
    assert np.array_equal(track.fitted(0.5).samples, track.samples[:500])


@pytest.mark.parametrize(
    ("samples", "rate", "message"),
    [
        (np.zeros(100, dtype=np.float32), 24000, r"\(samples, 1-8 channels\), got \(100,\)"),
        (np.zeros((100, 9), dtype=np.float32), 24000, r"got \(100, 9\)"),
        (np.full((100, 2), np.nan, dtype=np.float32), 24000, "finite floats"),
        (np.zeros((100, 2), dtype=np.int16), 24000, "finite floats, got int16"),
        (np.zeros((100, 2), dtype=np.float32), 0, "positive number of Hz, got 0"),
    ],
)
def test_bad_tracks_are_refused_naming_the_value(samples: np.ndarray, rate: int, message: str) -> None:
    with pytest.raises(InvalidMediaError, match=message):
        AudioTrack(samples, rate)


def test_a_wav_reads_back_as_the_track_it_was(tmp_path: Path) -> None:
    track = _tone(0.5)
    back = AudioTrack.read_wav(track.write_wav(tmp_path / "a.wav"))
    assert back.sample_rate == 24000 and back.samples.shape == track.samples.shape
    assert np.allclose(back.samples, track.samples, atol=1 / 32767)


def test_an_unreadable_wav_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "bad.wav").write_bytes(b"not a wav")
    with pytest.raises(InvalidMediaError, match="bad.wav cannot be read"):
        AudioTrack.read_wav(tmp_path / "bad.wav")
    with pytest.raises(InvalidMediaError, match="gone.wav cannot be read"):
        AudioTrack.read_wav(tmp_path / "gone.wav")
