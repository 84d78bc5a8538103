"""The Wan VAE's decode in pieces: a long clip's finished frames decoded once, as they become final.

The Wan VAE decodes causally, one latent frame after the other, each conv
layer keeping the last frames it saw (its cache). Decoding the first ``n``
latent frames, keeping that cache, and later decoding the next ones from it
gives the frames one decode of the whole clip would give. ``StreamingDecode``
does that: each finished window of a long clip is decoded on its own (shown as
a section), and the pipeline's final decode of the whole clip only decodes the
frames not decoded yet, joined to the pieces. Nothing is decoded twice, and a
section's frames are the final clip's frames (a fresh decode of a later piece
would start it as a first frame: 1 video frame for its first latent instead of 4).

Between pieces the caches and the decoded pieces wait on the CPU, copied
there asynchronously into page-locked memory: kept on the accelerator, a 540p
clip's caches alone would add several GB to the next window's denoising; copied
with blocking copies to pageable memory, they took 2.9 s of a 24 s run on an
H200 (``benchmarks/gpu_long.py --trace``).

Where the VAE does not decode frame by frame (spatial tiling at this size,
several videos sliced), or the final latents do not begin with the pieces,
each piece is decoded fresh and the final decode is the VAE's own.
"""

from __future__ import annotations

from typing import Any

import torch


class StreamingDecode:
    """One clip's decode in pieces on ``vae`` (an ``AutoencoderKLWan``); latents as the pipeline normalises them."""

    def __init__(self, vae: Any) -> None:
        self._vae = vae
        self._cache: list[Any] | None = None  # each causal conv's last frames, parked on the CPU between pieces
        self._latents: list[torch.Tensor] = []  # the normalised latents decoded so far
        self._pieces: list[torch.Tensor] = []  # their frames (B, 3, F, H, W) in [-1, 1], copied to the CPU

    @staticmethod
    def normalised(vae: Any, latents: torch.Tensor) -> torch.Tensor:
        """``latents`` in the VAE's space, computed as the SkyReels/Wan pipelines compute it (the same bits)."""
        config = vae.config
        latents = latents.to(vae.dtype)
        shape = (1, config.z_dim, 1, 1, 1)
        mean = torch.tensor(config.latents_mean).view(shape).to(latents.device, latents.dtype)
        inverse_std = 1.0 / torch.tensor(config.latents_std).view(shape).to(latents.device, latents.dtype)
        return latents / inverse_std + mean

    def streams(self, z: torch.Tensor) -> bool:
        """Whether ``z`` can be decoded frame by frame here (the VAE's own untiled, unsliced path)."""
        vae = self._vae
        if not all(hasattr(vae, name) for name in ("decoder", "post_quant_conv", "spatial_compression_ratio")):
            return False
        if getattr(vae, "use_slicing", False) and z.shape[0] > 1:
            return False
        if getattr(vae, "use_tiling", False):
            ratio = vae.spatial_compression_ratio
            if z.shape[-1] > vae.tile_sample_min_width // ratio or z.shape[-2] > vae.tile_sample_min_height // ratio:
                return False
        return True

    @property
    def latent_frames(self) -> int:
        """Latent frames decoded so far."""
        return sum(piece.shape[2] for piece in self._latents)

    def piece(self, z: torch.Tensor) -> torch.Tensor:
        """Decode the next latent frames ``z`` (normalised) after those decoded before; frames in [-1, 1] where
        the VAE decoded them (a section is made uint8 there, before it crosses to the CPU). A copy waits on the
        CPU for the final decode: a long clip's pieces would otherwise hold accelerator memory while later
        windows denoise."""
        if not self.streams(z):
            self._cache = None  # the chain is broken: later pieces and the final decode start afresh
            self._latents, self._pieces = [], []
            return self._vae.decode(z, return_dict=False)[0]
        out = self._continue(z, last=False)
        self._latents.append(z)
        self._pieces.append(_park(out))
        return out

    def whole(self, z: torch.Tensor) -> torch.Tensor | None:
        """The decode of the whole clip ``z`` from the pieces and the frames after them, on ``z``'s device (where
        the pipeline's own decode leaves it, so its post-processing runs there too); None when ``z`` does not
        begin with the pieces (the caller decodes it as usual)."""
        done = self.latent_frames
        if not done or z.shape[2] < done or not self.streams(z):
            return None
        if not torch.equal(z[:, :, :done], torch.cat(self._latents, 2).to(z.device)):
            return None
        pieces = self._pieces + ([self._continue(z[:, :, done:], last=True)] if z.shape[2] > done else [])
        self._latents, self._pieces, self._cache = [], [], None
        return torch.cat([piece.to(z.device, non_blocking=True) for piece in pieces], 2)

    def _continue(self, z: torch.Tensor, *, last: bool) -> torch.Tensor:
        """Decode ``z`` after the frames decoded before; unless ``last``, park the conv caches for the next piece."""
        vae = self._vae
        hook = getattr(vae, "_hf_hook", None)  # model offload: the VAE onto the execution device, as decode() does
        if hook is not None and hasattr(hook, "pre_forward"):
            hook.pre_forward(vae)
        first = self._cache is None
        if first:
            count = sum(type(m).__name__ == "WanCausalConv3d" for m in vae.decoder.modules())
            self._cache = [None] * count
        assert self._cache is not None
        cache = [c.to(z.device, non_blocking=True) if isinstance(c, torch.Tensor) else c for c in self._cache]
        x = vae.post_quant_conv(z)
        frames = []
        for i in range(z.shape[2]):
            frames.append(vae.decoder(x[:, :, i : i + 1], feat_cache=cache, feat_idx=[0], first_chunk=first and i == 0))
        out = torch.cat(frames, 2)
        if vae.config.patch_size is not None:
            from diffusers.models.autoencoders.autoencoder_kl_wan import unpatchify

            out = unpatchify(out, patch_size=vae.config.patch_size)
        self._cache = None if last else [_park(c) if isinstance(c, torch.Tensor) else c for c in cache]
        return out.clamp(-1.0, 1.0)


def _park(tensor: torch.Tensor) -> torch.Tensor:
    """A copy of ``tensor`` on the CPU for later use on its device again; from CUDA an asynchronous copy.

    The caches of a 540p clip are several GB (two frames of each full-resolution conv's input). A blocking
    copy to pageable memory faults every page and waits; ``non_blocking`` copies into page-locked memory,
    which torch's host allocator keeps for the next run, queued behind the decode on the same stream (the
    copy back is queued behind it too, so the bytes are there when used). Never read on the CPU.
    """
    return tensor.to("cpu", non_blocking=True)
