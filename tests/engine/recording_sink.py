"""A ProgressSink that records what the engine reports (a test observer, not a feature)."""

from __future__ import annotations

from studio.types import Phase


class RecordingSink:
    def __init__(self, cancel_after_step: int | None = None) -> None:
        self.events: list[tuple] = []
        self.cancel_after_step = cancel_after_step
        self.last_step = 0
        self.phase_messages: list[str] = []

    def phase(self, phase: Phase, message: str = "") -> None:
        self.events.append(("phase", phase))
        self.phase_messages.append(message)

    def progress(self, step: int, total_steps: int) -> None:
        self.last_step = step
        self.events.append(("progress", step, total_steps))

    def preview(self, images, frame_indices, step) -> None:
        self.events.append(("preview", step, images, frame_indices))

    def is_canceled(self) -> bool:
        return self.cancel_after_step is not None and self.last_step >= self.cancel_after_step

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]

    def phases(self) -> list[Phase]:
        return [e[1] for e in self.events if e[0] == "phase"]
