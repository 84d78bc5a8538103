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
        self._pieces: list[torch.Tensor] = []  # their frames (B, 3, F, H, W) in [-1, 1], on the CPU

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
        """Decode the next latent frames ``z`` (normalised) after those decoded before; frames in [-1, 1] on the CPU."""
        if not self.streams(z):
            self._cache = None  # the chain is broken: later pieces and the final decode start afresh
            self._latents, self._pieces = [], []
            return self._vae.decode(z, return_dict=False)[0].cpu()
        out = self._continue(z)
        self._latents.append(z)
        self._pieces.append(out)
        return out

    def whole(self, z: torch.Tensor) -> torch.Tensor | None:
        """The decode of the whole clip ``z`` (on the CPU) from the pieces and the frames after them; None when
        ``z`` does not begin with the pieces (the caller decodes it as usual)."""
        done = self.latent_frames
        if not done or z.shape[2] < done or not self.streams(z):
            return None
        if not torch.equal(z[:, :, :done], torch.cat(self._latents, 2).to(z.device)):
            return None
        pieces = self._pieces + ([self._continue(z[:, :, done:])] if z.shape[2] > done else [])
        self._latents, self._pieces, self._cache = [], [], None
        return torch.cat(pieces, 2)

    def _continue(self, z: torch.Tensor) -> torch.Tensor:
        vae = self._vae
        hook = getattr(vae, "_hf_hook", None)  # model offload: the VAE onto the execution device, as decode() does
        if hook is not None and hasattr(hook, "pre_forward"):
            hook.pre_forward(vae)
        first = self._cache is None
        if first:
            count = sum(type(m).__name__ == "WanCausalConv3d" for m in vae.decoder.modules())
            self._cache = [None] * count
        assert self._cache is not None
        cache = [c.to(z.device) if isinstance(c, torch.Tensor) else c for c in self._cache]
        x = vae.post_quant_conv(z)
        frames = []
        for i in range(z.shape[2]):
            frames.append(vae.decoder(x[:, :, i : i + 1], feat_cache=cache, feat_idx=[0], first_chunk=first and i == 0))
        out = torch.cat(frames, 2)
        if vae.config.patch_size is not None:
            from diffusers.models.autoencoders.autoencoder_kl_wan import unpatchify

            out = unpatchify(out, patch_size=vae.config.patch_size)
        self._cache = [c.cpu() if isinstance(c, torch.Tensor) else c for c in cache]
        return out.clamp(-1.0, 1.0).cpu()
