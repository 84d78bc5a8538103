"""How close the memory estimate comes to what the real architectures allocate (CPU, float32).

Each case runs in a fresh subprocess and measures the peak resident memory a
forward adds above the memory before it (Linux: the peak is reset through
``/proc/self/clear_refs`` and read from ``VmHWM``; ``MALLOC_MMAP_THRESHOLD_``
makes freed tensors leave the resident set, as they leave a GPU allocator):

* one Wan 2.1 1.3B transformer block at full width (12 heads x 128, ffn 8960,
  text 4096) over the clip's tokens, which is what the estimate models: under
  inference mode the working set does not depend on depth;
* the Wan VAE (the released configuration) decoding a clip.

Against ``denoise_activations_gb`` and ``vae_decode_gb`` from
``studio/engine/memory.py``. The constants were set by reasoning about the
code, then checked on the cases marked "tune"; the "held-out" cases were not
looked at while doing so. Prints a table, then one JSON line.

    .venv/bin/python benchmarks/estimate.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.engine.memory import DenoiserShape, VaeShape, denoise_activations_gb, latent_tokens, vae_decode_gb  # noqa: E402

WAN_1_3B = DenoiserShape(num_layers=30, num_heads=12, head_dim=128, ffn_dim=8960)
# (kind, width, height, frames, set)
CASES = [
    ("transformer", 480, 272, 17, "tune"),
    ("transformer", 640, 352, 17, "held-out"),
    ("transformer", 832, 480, 17, "held-out"),
    ("vae", 128, 128, 9, "tune"),
    ("vae", 192, 160, 9, "held-out"),
]


def _status_gb(key: str) -> float:
    kb = re.search(rf"{key}:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert kb is not None
    return int(kb.group(1)) / 1e6


def _measure(run) -> float:
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak to the current resident set
    before = _status_gb("VmRSS")
    run()
    return _status_gb("VmHWM") - before


def _transformer_case(width: int, height: int, frames: int) -> float:
    import torch
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    model = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16, out_channels=16,
        text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=1, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", eps=1e-6, rope_max_seq_len=1024,
    ).eval()  # fmt: skip
    latents = torch.randn(1, 16, (frames - 1) // 4 + 1, height // 8, width // 8)
    text = torch.randn(1, 512, 4096)
    timestep = torch.tensor([500])
    with torch.inference_mode():
        model(latents, timestep, text, return_dict=False)  # warm-up: kernels, thread pools
        return _measure(lambda: model(latents, timestep, text, return_dict=False))


def _vae_case(width: int, height: int, frames: int) -> float:
    import torch
    from diffusers import AutoencoderKLWan

    torch.manual_seed(0)
    vae = AutoencoderKLWan(base_dim=96, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=2,
                           temperal_downsample=[False, True, True]).eval()  # fmt: skip
    latents = torch.randn(1, 16, (frames - 1) // 4 + 1, height // 8, width // 8)
    with torch.inference_mode():
        vae.decode(latents[:, :, :1], return_dict=False)
        return _measure(lambda: vae.decode(latents, return_dict=False))


def _predicted(kind: str, width: int, height: int, frames: int) -> float:
    if kind == "transformer":
        return denoise_activations_gb(WAN_1_3B, latent_tokens(WAN_1_3B, VaeShape(), width, height, frames), 4)
    return vae_decode_gb(VaeShape(), width, height, frames, tiled=False)


def _run_case(kind: str, width: int, height: int, frames: int) -> float:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, __file__, "--case", kind, str(width), str(height), str(frames)],
                         capture_output=True, text=True, env=env, check=True).stdout  # fmt: skip
    return float(out.strip().splitlines()[-1])


def main() -> None:
    if not Path("/proc/self/clear_refs").exists():
        print("needs Linux (/proc/self/clear_refs)")
        print(json.dumps({"linux": False}))
        return
    rows = []
    print(f"{'part':<12}{'clip':>14}{'tokens':>8}{'set':>10}{'predicted GB':>14}{'measured GB':>13}{'ratio':>8}")
    for kind, width, height, frames, which in CASES:
        measured = _run_case(kind, width, height, frames)
        predicted = _predicted(kind, width, height, frames)
        tokens = latent_tokens(WAN_1_3B, VaeShape(), width, height, frames)
        rows.append({"part": kind, "clip": f"{width}x{height}x{frames}", "set": which,
                     "predicted_gb": round(predicted, 4), "measured_gb": round(measured, 4),
                     "ratio": round(predicted / measured, 3)})  # fmt: skip
        print(f"{kind:<12}{rows[-1]['clip']:>14}{tokens:>8}{which:>10}{predicted:>14.3f}{measured:>13.3f}"
              f"{predicted / measured:>8.2f}")  # fmt: skip
    summary = {which: [r["ratio"] for r in rows if r["set"] == which] for which in ("tune", "held-out")}
    print(json.dumps({"predicted_over_measured": summary, "cases": rows}))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--case":
        case = {"transformer": _transformer_case, "vae": _vae_case}[sys.argv[2]]
        print(case(int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])))
    else:
        main()
