"""The repository is a Gradio Space as is: front matter, requirements in step with pyproject."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

from studio.hosting.space import SPACE_DEFAULTS, apply_space_defaults

ROOT = Path(__file__).resolve().parents[2]


def _front_matter() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, "README.md must start with the Space's YAML front matter"
    fields = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip().strip('"')
    return fields


def test_front_matter_is_a_gradio_space_matching_the_pinned_gradio() -> None:
    fields = _front_matter()
    assert fields["sdk"] == "gradio"
    assert fields["app_file"] == "app.py" and (ROOT / fields["app_file"]).is_file()
    assert re.fullmatch(r"3\.\d+", fields["python_version"])
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    gradio_pin = next(Requirement(d) for d in pyproject["project"]["dependencies"] if d.startswith("gradio"))
    assert Version(fields["sdk_version"]) in gradio_pin.specifier
    assert Version(fields["sdk_version"]) == Version(metadata.version("gradio")), "sdk_version is the gradio we test with"
    requires = pyproject["project"]["requires-python"]
    assert Version(fields["python_version"] + ".0") in Requirement(f"python{requires}").specifier


def test_requirements_match_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = {str(Requirement(d)) for d in pyproject["project"]["dependencies"]}
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()]
    listed = {str(Requirement(ln)) for ln in lines if ln and not ln.startswith("#")}
    assert listed == wanted, f"only in requirements.txt: {listed - wanted}; only in pyproject: {wanted - listed}"


def test_space_defaults_apply_only_on_a_space_and_never_override() -> None:
    local = {"PATH": "/bin"}
    assert apply_space_defaults(local) == [] and local == {"PATH": "/bin"}
    space = {"SPACE_ID": "someone/studio", "PORT": "7861", "STUDIO_OUTPUT_RETENTION_DAYS": "9"}
    filled = apply_space_defaults(space)
    assert space["STUDIO_HOST"] == "0.0.0.0" and space["STUDIO_PORT"] == "7861"
    assert space["STUDIO_OUTPUT_RETENTION_DAYS"] == "9"  # the operator's value stays
    assert "STUDIO_OUTPUT_RETENTION_DAYS" not in filled
    assert set(filled) == (set(SPACE_DEFAULTS) - {"STUDIO_OUTPUT_RETENTION_DAYS"}) | {"STUDIO_PORT"}
