"""`import studio` and the upper layers load no torch (and the jobs layer no gradio)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("studio", ("torch", "diffusers", "gradio", "transformers")),
        ("studio.jobs", ("torch", "diffusers", "gradio")),
        ("studio.jobs.service", ("torch", "diffusers", "gradio")),
        ("studio.ui", ("torch", "diffusers", "gradio")),
        ("studio.engine", ("torch", "diffusers")),
        ("studio.engine.registry", ("torch", "diffusers")),
        ("studio.config", ("torch", "gradio")),
        ("studio.types", ("torch", "gradio")),
        # -- scale out: ray is an optional extra, imported only with STUDIO_EXECUTOR=ray --
        ("studio.scale", ("ray", "torch")),
        ("studio.scale.state", ("ray", "torch")),
        ("studio.jobs.service", ("ray",)),
        ("studio.ui", ("ray",)),
    ],
)
def test_import_loads_no_heavy_library(module: str, forbidden: tuple[str, ...]) -> None:
    code = (
        f"import sys, {module}\n"
        f"loaded = [m for m in {forbidden!r} if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing {module} loaded {out}"
