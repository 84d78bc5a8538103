"""The registered LTX-2 models (``default_specs`` lists them after the others).

``Lightricks/LTX-2`` is the one diffusers-format LTX-2 release (``model_index.json``
naming ``LTX2Pipeline``; the same folder serves ``LTX2ImageToVideoPipeline``).
Defaults are those of the diffusers LTX-2 examples: 768 x 512, 121 frames at
24 fps, 30 steps, guidance 3.0 and their negative prompt.
"""

from __future__ import annotations

from studio.engine.families.ltx2_facts import LTX2_NEGATIVE_PROMPT, LTX2_TRANSFORMER
from studio.engine.memory import ComponentFacts, DenoiserShape, VaeShape
from studio.engine.registry import ModelDefaults, ModelSpec

# Parameters in billions, counted on the meta device from the configurations in ``ltx2_facts``
# (tests/engine/test_ltx2_full_size.py recounts them), and the largest unit group offload moves at once:
# a transformer block (0.386 B), Gemma's 262208 x 3840 embedding (leaf by leaf), the connectors' 188160 x 3840
# input projection, a VAE or the vocoder whole.
LTX2_COMPONENTS = {
    "transformer": ComponentFacts(18.876, 0.3861),
    "text_encoder": ComponentFacts(12.187, 1.0069),
    "connectors": ComponentFacts(1.431, 0.7225),
    "vae": ComponentFacts(1.222, 1.222),
    "audio_vae": ComponentFacts(0.0532, 0.0532),
    "vocoder": ComponentFacts(0.0556, 0.0556),
}
#: The video stream's shape for the activation estimate (the audio stream adds ~25 tokens per second).
LTX2_DENOISER = DenoiserShape(num_layers=LTX2_TRANSFORMER["num_layers"], num_heads=LTX2_TRANSFORMER["num_attention_heads"],
                              head_dim=LTX2_TRANSFORMER["attention_head_dim"], ffn_dim=4 * 32 * 128, patch_size=(1, 1, 1))  # fmt: skip
#: The decoder ends 256 wide at a quarter of the resolution, then unpacks 4 x 4 pixel patches.
LTX2_VAE = VaeShape(base_dim=256, spatial_compression=32, temporal_compression=8, patch_size=4)


def ltx2_specs() -> list[ModelSpec]:
    """The LTX-2 demo and ``Lightricks/LTX-2``."""
    return [
        ModelSpec(
            key="ltx2-demo", family="ltx2", label="LTX-2 demo (video + audio)", demo=True, modes=("t2v", "i2v"),
            defaults=ModelDefaults(width=160, height=96, num_frames=17, fps=8, steps=10, guidance_scale=3.0),
            description="LTX-2 architecture shrunk (audio and video streams, vocoder), random weights: makes noise, "
                        "with a sound track.",
        ),  # fmt: skip
        ModelSpec(
            key="ltx-2", family="ltx2", label="LTX-2 19B (video + audio)", source="Lightricks/LTX-2", modes=("t2v", "i2v"),
            defaults=ModelDefaults(width=768, height=512, num_frames=121, fps=24, steps=30, guidance_scale=3.0,
                                   negative_prompt=LTX2_NEGATIVE_PROMPT),
            # 18.9B transformer + 12.2B Gemma 3 + 1.4B connectors + audio VAE and vocoder, bf16; video VAE float32.
            weights_gb=70.1, components=LTX2_COMPONENTS, denoiser=LTX2_DENOISER, vae=LTX2_VAE,
            description="LTX-2: text or image to video with a synchronised sound track (speech, foley, ambience).",
        ),  # fmt: skip
    ]
