"""Stable Video Diffusion: image to video only, with no prompt and no single guidance scale.

``StableVideoDiffusionPipeline`` conditions on the image twice (its CLIP image
embedding and its VAE latent concatenated to every frame's noisy latent) and
on three numbers (fps, ``motion_bucket_id``, ``noise_aug_strength``); its
guidance ramps from ``min_guidance_scale`` on the first frame to
``max_guidance_scale`` on the last (the card's 1 and 3, left to the pipeline).
EDM sampling with diffusers' Euler scheduler (v prediction, Karras sigmas);
latents (B, F, 4, H/8, W/8), frames first: the adapter converts. The camera
guide steers it through video-to-video strength and warped noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.engine.families.base import Family, LatentPreview, SizeRules
from studio.engine.families.unet_facts import (
    CLIP_VIT_H_PROJECTION,
    SD_RGB_FACTORS,
    SVD_EULER,
    SVD_UNET,
    SVD_VAE,
    SVD_XT_UNET,
)


def build_svd_demo(folder: Path, scale: int = 1, kind: str = "i2v") -> None:
    """Write a random-weight ``StableVideoDiffusionPipeline`` to ``folder`` with ``save_pretrained``.

    The released block types with two levels and narrow widths, the three added
    time ids (fps, motion bucket, noise augmentation), a four-level temporal-decoder
    VAE (the real 8x compression, 4 latent channels), a two-layer CLIP vision
    encoder with projection reading the pipeline's 224 px input through 32 px
    patches, and the released EDM Euler scheduler.
    """
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    del kind  # image to video is its only mode
    torch.manual_seed(0)
    width = 32 * scale  # its group norms have 32 groups
    unet = UNetSpatioTemporalConditionModel(
        sample_size=8, in_channels=8, out_channels=4, layers_per_block=2, block_out_channels=(width, 2 * width),
        addition_time_embed_dim=8, projection_class_embeddings_input_dim=24, cross_attention_dim=width,
        num_attention_heads=(2, 4), transformer_layers_per_block=1, num_frames=14,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
    )  # fmt: skip
    # the temporal decoder's group norms have 32 groups: 32 channels is its narrowest width
    vae = AutoencoderKLTemporalDecoder(in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1,
                                       block_out_channels=(32, 32, 32, 32), down_block_types=("DownEncoderBlock2D",) * 4,
                                       sample_size=64)  # fmt: skip
    image_encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=width, intermediate_size=2 * width, num_hidden_layers=2, num_attention_heads=2, patch_size=32,
        image_size=224, projection_dim=width,
    ))  # fmt: skip
    pipe: Any = StableVideoDiffusionPipeline(
        vae=vae, image_encoder=image_encoder, unet=unet, scheduler=EulerDiscreteScheduler(**SVD_EULER),
        feature_extractor=CLIPImageProcessor(crop_size=224, size=224),
    )  # fmt: skip
    pipe.save_pretrained(folder)


def build_full_size(key: str = "img2vid-xt") -> Any:
    """SVD (``img2vid``: 14 frames, ``img2vid-xt``: 25) at full size with random weights on torch's
    current device (``meta`` in the tests)."""
    import torch
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    with torch.device("cpu"):  # the scheduler's tables are data, never meta tensors
        scheduler = EulerDiscreteScheduler(**SVD_EULER)
    return StableVideoDiffusionPipeline(
        vae=AutoencoderKLTemporalDecoder(**SVD_VAE),
        image_encoder=CLIPVisionModelWithProjection(CLIPVisionConfig(**CLIP_VIT_H_PROJECTION)),
        unet=UNetSpatioTemporalConditionModel(**(SVD_XT_UNET if key == "img2vid-xt" else SVD_UNET)),
        scheduler=scheduler, feature_extractor=CLIPImageProcessor(crop_size=224, size=224),
    )  # fmt: skip


SVD = Family(
    name="svd",
    label="Stable Video Diffusion",
    pipelines={"i2v": "StableVideoDiffusionPipeline"},
    size_rules=SizeRules(side_multiple=8, temporal_step=1),
    previews=(LatentPreview(factors=SD_RGB_FACTORS),),
    prediction="v",
    pipeline_class_names=("StableVideoDiffusionPipeline",),
    build_demo=build_svd_demo,
    steering=frozenset({"v2v", "warped_noise"}),
    # decode 8 frames at a time (the pipeline's default is every frame at once)
    call_kwargs={"decode_chunk_size": 8},
    adapter="studio.engine.adapters.svd:SvdAdapter",
    inputs=frozenset({"steps", "motion_bucket_id", "noise_aug_strength"}),
    # the pipeline hands the UNet's latents to the VAE (and image latents to the UNet) without a cast:
    # one dtype for all components (in bf16 the SD VAE decodes fine)
    float32_components=frozenset(),
)
