"""The prompt policy as every front end meets it: loaded once per file version, checked at submit.

``validate_request`` (and the prompt assistant's routes) call ``enforce_texts``
with the settings alone, so UI, REST, CLI and MCP all pass through the same
check. The policy is cached per (file, modification time, classifier), so an
edited file applies to the next request and a file broken while serving
refuses requests with a clear error instead of letting them through.
"""

from __future__ import annotations

import functools
from pathlib import Path

from studio.config import Settings
from studio.errors import PolicyFileError
from studio.provenance.policy import PolicyDecision, PromptPolicy, load_policy


def policy_for(settings: Settings) -> PromptPolicy:
    """The policy in force (an empty one when no file is set).

    Raises:
        PolicyFileError: the policy file is missing or does not parse; the classifier does not load.
    """
    path = settings.policy_file
    stamp = (0, 0)
    if path is not None:
        try:
            stat = path.stat()
        except OSError as exc:
            raise PolicyFileError(f"policy file not readable: {path} ({exc.strerror})") from exc
        stamp = (stat.st_mtime_ns, stat.st_size)
    return _load(path, stamp, settings.policy_classifier)


@functools.lru_cache(maxsize=4)  # a memo of parsed files, not state: the key holds everything the value depends on
def _load(path: Path | None, _stamp: tuple[int, int], classifier: Path | None) -> PromptPolicy:
    policy = load_policy(path) if path is not None else PromptPolicy()
    if classifier is not None:
        from studio.engine.policy_classifier import TransformersPromptClassifier

        policy.classifier = TransformersPromptClassifier.from_pretrained(classifier)
    return policy


def enforce_texts(settings: Settings, texts: dict[str, str]) -> PolicyDecision:
    """Check named texts against the policy in force.

    Raises:
        PolicyViolationError: a text is refused (the message names the field and category).
        PolicyFileError: the policy cannot be loaded.
    """
    return policy_for(settings).enforce(texts)
