"""An invisible, self-synchronising watermark in the luma of video frames.

Design (why: ``docs/provenance.md``). A secret-keyed 128x128 tile of smooth
pseudo-random chips is repeated over the frame, added to the luma with an
amplitude that follows the local texture and is scaled to a target PSNR.
Each chip carries one bit of a 48-bit payload (a 32-bit id + CRC-16) as its
sign, spread over about 21 chips per tile and every tile of the frame.

Detection needs neither the original nor the transformation:

1. whiten the luma (high-pass, divided by the local contrast), so the image
   itself stops dominating;
2. find the tile period from the autocorrelation (a resize changes it; the
   repeated tile makes peaks at multiples of it) and resample to 128 px;
3. fold the frame into one tile (sum of all tiles): a crop only shifts the
   tile cyclically, and folding averages every tile's copy of the payload;
4. correlate the folded tile with each bit's chips at every cyclic shift (FFT);
   the shift where the summed squared correlations peak is the crop offset,
   and the signs there are the bits; the CRC says whether they are a payload.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import cv2
import numpy as np

TILE_PX = 128
_CHIPS = 16  # chips per tile side: 8x8-pixel chips (H.264 at CRF 28 keeps these frequencies; 4x4 chips lost half)
ID_BITS = 32
_CRC_BITS = 16
PAYLOAD_BITS = ID_BITS + _CRC_BITS
_KEY_SEED = 0x5EED_57D1  # the studio's key: changing it makes earlier marks unreadable
_MIN_PERIOD_PX, _MAX_PERIOD_PX = 48, 176  # tile periods searched: scales from 0.375 to 1.375
_SYNC_THRESHOLD = 3.0  # peak of the sync statistic over its mean; unmarked frames stay below ~2.2
_BLUR_SIGMA_PX = 3.0
_CHASE_BITS = 7


@dataclass(frozen=True)
class Detection:
    """What ``detect`` found in one frame. ``payload_id`` is set only when the CRC matched."""

    found: bool
    payload_id: int | None
    sync_score: float
    scale: tuple[float, float]
    shift: tuple[int, int]


def _crc16(value: int) -> int:
    return zlib.crc32(value.to_bytes(4, "big")) & 0xFFFF


def payload_bits(payload_id: int) -> np.ndarray:
    """The 48 bits (0/1) that carry ``payload_id`` (32 bits) and its CRC-16."""
    if not 0 <= payload_id < 2**ID_BITS:
        raise ValueError(f"watermark id must fit in {ID_BITS} bits, got {payload_id}")
    word = (payload_id << _CRC_BITS) | _crc16(payload_id)
    return np.array([(word >> (PAYLOAD_BITS - 1 - i)) & 1 for i in range(PAYLOAD_BITS)], dtype=np.int8)


def _decode_bits(bits: np.ndarray) -> int | None:
    word = int("".join(str(int(b)) for b in bits), 2)
    payload_id, crc = word >> _CRC_BITS, word & 0xFFFF
    return payload_id if _crc16(payload_id) == crc else None


def _chase_decode(soft: np.ndarray) -> int | None:
    """Hard decision, then every flip pattern of the least reliable bits until the CRC holds (Chase decoding).

    Trying 2**_CHASE_BITS words raises the chance that a damaged mark decodes to a wrong id to about
    2**_CHASE_BITS / 2**16 (0.2%); the sync threshold keeps unmarked frames from being read at all.
    """
    hard = (soft > 0).astype(np.int8)
    weakest = np.argsort(np.abs(soft))[:_CHASE_BITS]
    for pattern in range(2**_CHASE_BITS):
        trial = hard.copy()
        for k, index in enumerate(weakest):
            if (pattern >> k) & 1:
                trial[index] ^= 1
        decoded = _decode_bits(trial)
        if decoded is not None:
            return decoded
    return None


class _Key:
    """The keyed chip signs and the bit each chip carries, with one smooth template per bit."""

    def __init__(self, seed: int = _KEY_SEED) -> None:
        rng = np.random.default_rng(seed)
        self.signs = rng.choice(np.array([-1.0, 1.0]), size=(_CHIPS, _CHIPS))
        self.owner = rng.permutation(_CHIPS * _CHIPS).reshape(_CHIPS, _CHIPS) % PAYLOAD_BITS
        self.templates = np.stack([_smooth(np.where(self.owner == i, self.signs, 0.0)) for i in range(PAYLOAD_BITS)])
        self.template_ffts = np.conj(np.fft.rfft2(self.templates))

    def tile(self, bits: np.ndarray) -> np.ndarray:
        """The 128x128 tile for ``bits``, unit RMS."""
        tile = np.tensordot((2.0 * bits - 1.0), self.templates, axes=1)
        tile -= tile.mean()  # a constant offset costs PSNR and the whitened detector never sees it
        return tile / tile.std()


def _smooth(chips: np.ndarray) -> np.ndarray:
    """Chips -> a periodic 128x128 field: nearest upsampling, then a periodic Gaussian blur (FFT)."""
    field = np.kron(chips, np.ones((TILE_PX // _CHIPS, TILE_PX // _CHIPS)))
    freqs = np.fft.fftfreq(TILE_PX)
    gauss = np.exp(-2 * (np.pi * 2.0) ** 2 * (freqs[:, None] ** 2 + freqs[None, :] ** 2))
    return np.real(np.fft.ifft2(np.fft.fft2(field) * gauss))


_KEY = _Key()


def _luma(frame: np.ndarray) -> np.ndarray:
    rgb = frame.astype(np.float32)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def embed(frames: np.ndarray, payload_id: int, psnr_db: float = 39.0) -> np.ndarray:
    """Mark each frame (uint8, frames x H x W x 3) with ``payload_id`` at a cost of about ``psnr_db`` per frame.

    The amplitude is uniform: weighting it by texture (perceptual masking) put the mark where the detector's
    noise is highest and halved the detection margin after H.264 (docs/provenance.md).

    Raises:
        ValueError: frames are not uint8 RGB, or the id does not fit in 32 bits.
    """
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"frames must be uint8 (frames, height, width, 3), got {frames.dtype} {frames.shape}")
    tile = _KEY.tile(payload_bits(payload_id))
    height, width = frames.shape[1:3]
    reps = (-(-height // TILE_PX), -(-width // TILE_PX))
    pattern = np.tile(tile, reps)[:height, :width].astype(np.float32)
    pattern /= np.sqrt(np.mean(pattern * pattern))  # partial tiles at the edges: unit RMS over the frame
    delta = pattern * np.float32(255.0 / 10 ** (psnr_db / 20))  # unit-RMS pattern -> RMS change for the PSNR
    out = np.empty_like(frames)
    for index, frame in enumerate(frames):  # one frame at a time keeps the float copy small
        out[index] = np.clip(frame.astype(np.float32) + delta[..., None] + 0.5, 0, 255).astype(np.uint8)
    return out


def _whiten(luma: np.ndarray) -> np.ndarray:
    residual = luma - cv2.GaussianBlur(luma, (0, 0), _BLUR_SIGMA_PX)
    local = np.sqrt(cv2.GaussianBlur(residual * residual, (0, 0), 8.0)) + 1.0
    return residual / local


def _autocorrelation(residual: np.ndarray, axis: int) -> np.ndarray:
    """Linear (zero-padded) autocorrelation along one axis, summed over the other, per overlapping sample."""
    length = residual.shape[axis]
    spectrum = np.abs(np.fft.rfft(residual, n=2 * length, axis=axis)) ** 2
    profile = np.fft.irfft(spectrum.sum(axis=1 - axis), n=2 * length)[:length]
    return profile / (length - np.arange(length))


def _periods(profile: np.ndarray, count: int = 5) -> list[float]:
    """Candidate tile periods along one axis (strongest first, sub-pixel) from an autocorrelation profile.

    Lags are searched up to 75% of the side (a period must repeat within the frame). Several candidates are
    kept because after H.264 a harmonic or the image's own texture sometimes outranks the true period."""
    hi = min(_MAX_PERIOD_PX, int(len(profile) * 0.75))
    if hi <= _MIN_PERIOD_PX + 2:
        return []
    lags = np.arange(_MIN_PERIOD_PX, hi)
    baseline = np.array([np.median(profile[max(1, lag - 8) : lag + 9]) for lag in lags])
    excess = profile[lags] - baseline
    found: list[float] = []
    for index in np.argsort(excess)[::-1]:
        peak = int(lags[index])
        if excess[index] <= 0 or len(found) == count:
            break
        if any(abs(peak - p) < 4 for p in found) or not (excess[index] >= excess[max(0, index - 1) : index + 2]).all():
            continue
        left, mid, right = profile[peak - 1], profile[peak], profile[peak + 1]
        denom = left - 2 * mid + right
        found.append(peak + (0.5 * (left - right) / denom if denom < 0 else 0.0))
    return found


def _fold(residual: np.ndarray) -> np.ndarray:
    height, width = residual.shape
    padded = np.zeros((-(-height // TILE_PX) * TILE_PX, -(-width // TILE_PX) * TILE_PX), np.float32)
    padded[:height, :width] = residual
    return padded.reshape(padded.shape[0] // TILE_PX, TILE_PX, -1, TILE_PX).sum(axis=(0, 2))


def _read_folded(folded: np.ndarray) -> tuple[float, tuple[int, int], np.ndarray]:
    spectra = np.fft.rfft2(folded)[None] * _KEY.template_ffts
    corr = np.fft.irfft2(spectra, s=(TILE_PX, TILE_PX))
    sync = (corr**2).sum(axis=0)
    dy, dx = np.unravel_index(int(np.argmax(sync)), sync.shape)
    return float(sync[dy, dx] / sync.mean()), (int(dy), int(dx)), corr[:, dy, dx]


def detect(frame: np.ndarray) -> Detection:
    """Look for the watermark in one uint8 RGB frame of any size, scale or crop offset."""
    residual = _whiten(_luma(frame))
    best = Detection(False, None, 0.0, (0.0, 0.0), (0, 0))
    for period_x, period_y in _candidate_periods(residual):
        scale_x, scale_y = TILE_PX / period_x, TILE_PX / period_y
        size = (max(TILE_PX, round(residual.shape[1] * scale_x)), max(TILE_PX, round(residual.shape[0] * scale_y)))
        score, shift, soft = _read_folded(_fold(cv2.resize(residual, size, interpolation=cv2.INTER_LINEAR)))
        payload = _chase_decode(soft) if score >= _SYNC_THRESHOLD else None
        found = Detection(payload is not None, payload, score, (period_x / TILE_PX, period_y / TILE_PX), shift)
        if found.found:
            return found
        if found.sync_score > best.sync_score:
            best = found
    return best


def _candidate_periods(residual: np.ndarray) -> list[tuple[float, float]]:
    """(x, y) periods to try: both axes' own best, then the best of both axes together (resizes keep the aspect)."""
    along_x, along_y = _autocorrelation(residual, axis=1), _autocorrelation(residual, axis=0)
    best_x, best_y = _periods(along_x), _periods(along_y)
    common = min(len(along_x), len(along_y))
    pairs = [(best_x[0], best_y[0])] if best_x and best_y else []
    pairs += [(p, p) for p in _periods(along_x[:common] + along_y[:common])]
    pairs += [(p, p) for p in best_x + best_y]
    unique: list[tuple[float, float]] = []
    for pair in pairs:
        if all(abs(pair[0] - u[0]) + abs(pair[1] - u[1]) > 1.0 for u in unique):
            unique.append(pair)
    return unique
