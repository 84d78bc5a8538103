"""LoRAs made in code for the demo transformer (test fixtures, not features)."""

from __future__ import annotations

from pathlib import Path

import torch


def make_demo_lora(model_folder: Path, out_file: Path, *, seed: int = 1, scale: float = 0.5) -> Path:
    """A PEFT LoRA on the attention projections of the demo transformer, random non-zero B, saved as safetensors."""
    from diffusers import WanPipeline, WanTransformer3DModel
    from peft import LoraConfig, get_peft_model_state_dict

    config = WanTransformer3DModel.load_config(model_folder / "transformer")
    transformer = WanTransformer3DModel.from_config(config)
    transformer.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in transformer.named_parameters():
            if "lora_B" in name:  # PEFT starts B at zero (a no-op LoRA); make it do something
                param.copy_(torch.randn(param.shape, generator=generator) * scale)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    WanPipeline.save_lora_weights(out_file.parent, transformer_lora_layers=get_peft_model_state_dict(transformer),
                                  weight_name=out_file.name)  # fmt: skip
    return out_file


def make_shape_mismatch_lora(out_file: Path) -> Path:
    """Right layer names, wrong shapes (as a LoRA for a wider model of the same family would be)."""
    from safetensors.torch import save_file

    tensors = {}
    for block in range(2):
        for proj in ("to_q", "to_k", "to_v"):
            tensors[f"transformer.blocks.{block}.attn1.{proj}.lora_A.weight"] = torch.randn(4, 40)
            tensors[f"transformer.blocks.{block}.attn1.{proj}.lora_B.weight"] = torch.randn(40, 4)
    save_file(tensors, out_file)
    return out_file


def make_foreign_lora(out_file: Path) -> Path:
    """A LoRA for another architecture (a UNet): none of its layers exist in a Wan transformer."""
    from safetensors.torch import save_file

    save_file({"unet.down_blocks.0.attentions.0.proj_in.lora_A.weight": torch.randn(4, 32),
               "unet.down_blocks.0.attentions.0.proj_in.lora_B.weight": torch.randn(32, 4)}, out_file)  # fmt: skip
    return out_file
