"""Prompt assistant tab: free text -> editable fields -> the prompt for a model family -> other tabs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from studio.container import Container
from studio.jobs.policy_gate import enforce_texts
from studio.motion.names import PRESET_NAMES
from studio.prompting.compilers import COMPILERS, compile_prompt
from studio.prompting.structure import CompiledPrompt, StructureResult
from studio.ui.common import PRIVATE, user_errors
from studio.ui.i2v_tab import ImageToVideoWidgets
from studio.ui.prompt_fields import BEAT_COLUMNS, fields_to_structure, structure_to_fields
from studio.ui.t2v_tab import TextToVideoWidgets


def _info(compiled: CompiledPrompt, result: StructureResult | None = None) -> str:
    lines = [f"**{compiled.word_count} words** · format `{compiled.family}`"]
    if result is not None:
        lines[0] += f" · structured by `{result.backend}`"
        lines += [f"- _suggestion_ ({s.field}): **{s.value}** — {s.reason}" for s in result.structure.suggestions]
        lines += [f"- ⚠ {w}" for w in result.warnings]
    lines += [f"- ⚠ {w}" for w in compiled.warnings if result is None or w not in result.warnings]
    return "\n".join(lines)


EXAMPLE_IDEAS = [
    ["an old fisherman mends a net on a pier at sunrise, then looks up at the gulls; slow dolly in, warm light"],
    ["drone shot over a misty pine forest, camera rises and tilts down, cinematic, no text"],
    ["0-3s a cat sleeps on a windowsill, 3-6s it wakes and stretches; static camera, soft afternoon light"],
    ["anime style: a girl rides a bicycle down a hill past cherry trees, tracking shot left"],
]


@dataclass
class PromptWidgets:
    idea: gr.Textbox
    family: gr.Dropdown
    structure: gr.Button
    subjects: gr.Textbox
    beats: gr.Dataframe
    setting: gr.Textbox
    negatives: gr.Textbox
    move: gr.Textbox
    presets: gr.Dropdown
    strength: gr.Slider
    shot_size: gr.Textbox
    angle: gr.Textbox
    lens: gr.Textbox
    lighting: gr.Textbox
    style: gr.Textbox
    mood: gr.Textbox
    compile: gr.Button
    compiled: gr.Textbox
    negative: gr.Textbox
    info: gr.Markdown
    to_t2v: gr.Button
    to_i2v: gr.Button

    def fields(self) -> list[gr.components.Component]:
        """The structure's fields, in the order of ``structure_to_fields`` / ``fields_to_structure``."""
        return [self.subjects, self.beats, self.setting, self.move, self.presets, self.strength, self.shot_size, self.angle,
                self.lens, self.lighting, self.style, self.mood, self.negatives]  # fmt: skip


class PromptTab:
    def __init__(self, container: Container) -> None:
        self._c = container
        default_family = container.registry.family(container.registry.resolve(container.settings.default_model)).name
        self._default_format = default_family if default_family in COMPILERS else "generic"

    def render(self) -> PromptWidgets:
        with gr.Row():
            idea = gr.Textbox(label="Your idea", lines=3, scale=4, elem_id="prompt-idea",
                              placeholder="a fox trots through snow at dawn, then looks back; slow push in, no text")  # fmt: skip
            with gr.Column(scale=1):
                family = gr.Dropdown(list(COMPILERS), value=self._default_format, label="Prompt format (model family)")
                structure = gr.Button("Structure", variant="primary", elem_id="prompt-structure")
        gr.Examples(EXAMPLE_IDEAS, inputs=[idea], label="Loose ideas to try")
        with gr.Row():
            with gr.Column():
                subjects = gr.Textbox(label="Subjects (one per line)", lines=2)
                beats = gr.Dataframe(headers=BEAT_COLUMNS, datatype=["number", "number", "str"], type="array",
                                     interactive=True, label="Action beats (seconds optional)")  # fmt: skip
                setting = gr.Textbox(label="Setting")
                negatives = gr.Textbox(label="Negatives (comma-separated)")
            with gr.Column():
                move = gr.Textbox(label="Camera move (words)")
                presets = gr.Dropdown(list(PRESET_NAMES), value=[], multiselect=True, label="Camera presets")
                strength = gr.Slider(0.0, 3.0, value=1.0, step=0.05, label="Camera strength")
                with gr.Row():
                    shot_size = gr.Textbox(label="Shot size")
                    angle = gr.Textbox(label="Angle")
                    lens = gr.Textbox(label="Lens")
                lighting = gr.Textbox(label="Lighting")
                style = gr.Textbox(label="Style")
                mood = gr.Textbox(label="Mood")
        compile_button = gr.Button("Compile edited fields")
        compiled = gr.Textbox(label="Prompt", lines=4, elem_id="prompt-compiled", interactive=True)
        negative = gr.Textbox(label="Negative prompt", elem_id="prompt-negative")
        info = gr.Markdown(elem_id="prompt-info")
        with gr.Row():
            to_t2v = gr.Button("Send to Text → Video", elem_id="prompt-to-t2v")
            to_i2v = gr.Button("Send to Image → Video", elem_id="prompt-to-i2v")
        return PromptWidgets(idea, family, structure, subjects, beats, setting, negatives, move, presets, strength, shot_size,
                             angle, lens, lighting, style, mood, compile_button, compiled, negative, info, to_t2v, to_i2v)  # fmt: skip

    def wire(self, w: PromptWidgets, t2v: TextToVideoWidgets, i2v: ImageToVideoWidgets, tabs: gr.Tabs) -> None:
        """The assistant's own events, and sending its prompt (and camera) to the generation tabs."""
        fields, private = w.fields(), PRIVATE
        outputs = [*fields, w.compiled, w.negative, w.info]
        w.structure.click(self.structure_prompt, inputs=[w.idea, w.family], outputs=outputs, api_name="structure_prompt")
        w.idea.submit(self.structure_prompt, inputs=[w.idea, w.family], outputs=outputs, **private)
        compiled_outputs = [w.compiled, w.negative, w.info]
        w.compile.click(self.compile_fields, inputs=[*fields, w.family], outputs=compiled_outputs, api_name="compile_prompt")
        w.family.change(self.compile_fields, inputs=[*fields, w.family], outputs=compiled_outputs, **private)
        w.to_t2v.click(lambda p, n: (p, n, gr.Tabs(selected="t2v")), inputs=[w.compiled, w.negative],
                       outputs=[t2v.prompt, t2v.negative_prompt, tabs], **private)  # fmt: skip
        moves = i2v.camera.moves
        w.to_i2v.click(lambda p, n, presets, strength: (p, n, presets, strength, gr.Tabs(selected="i2v")),
                       inputs=[w.compiled, w.negative, w.presets, w.strength],
                       outputs=[i2v.prompt, i2v.guide.negative_prompt, moves.presets, moves.strength, tabs], **private)  # fmt: skip

    def structure_prompt(self, text: str, family: str | None = None) -> tuple:
        """Structure a loose video idea into a prompt: subjects, action beats with timing, setting, camera move,
        shot, lighting, style and negatives, compiled into the format a model family likes.

        Args:
            text: the idea in plain words, e.g. "a fox trots through snow at dawn, then looks back; slow push in".
            family: the prompt format: wan, ltx, cogvideox_i2v, animatediff, timeline or generic.
        Returns:
            the structured fields, the compiled prompt, its negative prompt and notes.
        """
        with user_errors():
            result = self._c.structurer.structure(text)
            compiled = compile_prompt(result.structure, family or self._default_format)
            enforce_texts(self._c.settings, {"structured prompt": compiled.text, "structured negative prompt": compiled.negative})
        return (*structure_to_fields(result.structure), compiled.text, compiled.negative, _info(compiled, result))

    def compile_fields(self, *values: Any) -> tuple:
        """Compile the (edited) fields for the chosen family."""
        *fields, family = values
        with user_errors():
            compiled = compile_prompt(fields_to_structure(*fields), family or self._default_format)
        return compiled.text, compiled.negative, _info(compiled)
