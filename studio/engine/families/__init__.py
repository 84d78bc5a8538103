"""Model families: the rules, factors and demo configuration of each.

A family module is importable without torch; only its ``build_demo`` imports
torch, diffusers and transformers, inside the function.
"""

from __future__ import annotations

from studio.engine.families.base import Family
from studio.engine.families.framepack import FRAMEPACK
from studio.engine.families.hunyuan15 import HUNYUAN15
from studio.engine.families.motion import MOTION
from studio.engine.families.skyreels import SKYREELS
from studio.engine.families.wan import WAN

FAMILIES: dict[str, Family] = {WAN.name: WAN, MOTION.name: MOTION, SKYREELS.name: SKYREELS}
FAMILIES.update({HUNYUAN15.name: HUNYUAN15, FRAMEPACK.name: FRAMEPACK})  # HunyuanVideo 1.5, FramePack

__all__ = ["FAMILIES", "Family"]
