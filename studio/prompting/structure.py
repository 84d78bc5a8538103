"""The structure of a video prompt (pydantic, JSON-serialisable)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from studio.motion.names import PresetName


class Subject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    appearance: str = ""


class Beat(BaseModel):
    """One action in time order; times in seconds when the text gave them."""

    model_config = ConfigDict(extra="forbid")

    text: str
    start_s: float | None = Field(None, ge=0)
    end_s: float | None = Field(None, ge=0)
    connective: str = ""


class Camera(BaseModel):
    """The camera: the words used, the motion-engine presets they map to, and the framing."""

    model_config = ConfigDict(extra="forbid")

    move: str = ""
    presets: list[PresetName] = Field(default_factory=list)
    strength: float = Field(1.0, ge=0.0, le=5.0)
    shot_size: str = ""
    angle: str = ""
    lens: str = ""


class Suggestion(BaseModel):
    """A value the structurer invented for an empty field: offered, never merged silently."""

    model_config = ConfigDict(extra="forbid")

    field: str
    value: str
    reason: str


class PromptStructure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subjects: list[Subject] = Field(default_factory=list)
    beats: list[Beat] = Field(default_factory=list)
    setting: str = ""
    camera: Camera = Field(default_factory=Camera)
    lighting: list[str] = Field(default_factory=list)
    style: list[str] = Field(default_factory=list)
    mood: list[str] = Field(default_factory=list)
    negatives: list[str] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)


class StructureResult(BaseModel):
    structure: PromptStructure
    warnings: list[str] = Field(default_factory=list)
    #: "offline" or "llm:<model>"
    backend: str = "offline"


class CompiledPrompt(BaseModel):
    family: str
    text: str
    negative: str = ""
    word_count: int = 0
    warnings: list[str] = Field(default_factory=list)
