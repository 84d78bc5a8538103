"""Model families: the rules, factors and demo configuration of each.

A family module is importable without torch; only its ``build_demo`` imports
torch, diffusers and transformers, inside the function.
"""

from __future__ import annotations

from studio.engine.families.animatediff import ANIMATEDIFF
from studio.engine.families.base import Family
from studio.engine.families.cogvideox import COGVIDEOX
from studio.engine.families.framepack import FRAMEPACK
from studio.engine.families.hunyuan15 import HUNYUAN15
from studio.engine.families.ltx import LTX
from studio.engine.families.ltx2 import LTX2
from studio.engine.families.motion import MOTION
from studio.engine.families.skyreels import SKYREELS
from studio.engine.families.svd import SVD
from studio.engine.families.wan import WAN

FAMILIES: dict[str, Family] = {WAN.name: WAN, MOTION.name: MOTION, SKYREELS.name: SKYREELS}
FAMILIES[LTX.name] = LTX
FAMILIES[COGVIDEOX.name] = COGVIDEOX
FAMILIES[LTX2.name] = LTX2
FAMILIES.update({ANIMATEDIFF.name: ANIMATEDIFF, SVD.name: SVD})  # -- UNet families --
FAMILIES.update({HUNYUAN15.name: HUNYUAN15, FRAMEPACK.name: FRAMEPACK})  # HunyuanVideo 1.5, FramePack

__all__ = ["FAMILIES", "Family"]
