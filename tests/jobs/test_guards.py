"""Data-folder lock, request defaults for every front end, local model folders, webhook URL checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import DataDirBusyError, InvalidRequestError, UnknownModelError
from studio.jobs.addresses import check_webhook_url, is_public_address
from studio.jobs.defaults import request_with_defaults
from studio.jobs.lock import DataDirLock


def test_the_data_folder_is_exclusive_and_the_error_names_folder_and_holder(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path)
    first.acquire()
    with pytest.raises(DataDirBusyError) as refused:
        DataDirLock(tmp_path).acquire()
    assert str(tmp_path.resolve()) in str(refused.value) and f"process {os.getpid()}" in str(refused.value)
    first.release()
    again = DataDirLock(tmp_path)
    again.acquire()  # free once released
    again.release()


def test_defaults_come_from_the_settings_model_and_its_spec(settings: Settings) -> None:
    registry = ModelRegistry(offline=True)
    request = request_with_defaults({"prompt": "x", "width": None}, settings.model_copy(update={"default_model": "wan-demo"}), registry)
    demo = registry.resolve("wan-demo").defaults
    assert (request.model, request.width, request.height, request.steps, request.fps) == ("wan-demo", demo.width, demo.height,
                                                                                          demo.steps, demo.fps)  # fmt: skip
    i2v = request_with_defaults({"prompt": "x", "mode": "i2v", "image": "a.png"}, settings, registry)
    assert i2v.model == settings.default_i2v_model and i2v.num_frames == registry.resolve("motion-warp").defaults.num_frames
    with pytest.raises(InvalidRequestError, match="colour is not a known setting"):
        request_with_defaults({"prompt": "x", "colour": "red"}, settings, registry)


def test_local_model_folders_need_the_operator_and_errors_never_reveal_paths(settings: Settings, tmp_path: Path) -> None:
    registry = ModelRegistry(offline=True)
    folder = tmp_path / "pipe"
    folder.mkdir()
    (folder / "model_index.json").write_text('{"_class_name": "WanPipeline"}')
    messages = []
    for name in (str(folder), str(tmp_path / "missing"), "/etc"):
        with pytest.raises(UnknownModelError) as refused:
            request_with_defaults({"prompt": "x", "model": name}, settings, registry)
        messages.append(str(refused.value).replace(name, "<name>"))
    assert len(set(messages)) == 1  # an existing folder and a missing one read the same
    allowed = settings.model_copy(update={"allow_local_models": True})
    assert request_with_defaults({"prompt": "x", "model": str(folder)}, allowed, registry).model == str(folder)


@pytest.mark.parametrize("url, message", [
    ("ftp://example.com/hook", "must be an http or https URL"),
    ("file:///etc/passwd", "must be an http or https URL"),
    ("http://10.1.2.3/hook", "private or loopback"),
    ("http://127.0.0.1:9/hook", "private or loopback"),
    ("http://[::1]:9/hook", "private or loopback"),
    ("http://localhost/hook", "private or loopback"),
    ("not a url", "must be an http or https URL"),
])  # fmt: skip
def test_bad_webhook_urls_are_refused_at_submit(url: str, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        check_webhook_url(url, allow_private=False)


def test_private_urls_pass_when_the_operator_allows_them() -> None:
    check_webhook_url("http://127.0.0.1:9/hook", allow_private=True)
    check_webhook_url("https://hooks.example.com/x", allow_private=False)  # names are judged when resolved
    assert [is_public_address(a) for a in ("8.8.8.8", "10.0.0.1", "::ffff:10.0.0.1", "0.0.0.0", "fe80::1")] == [
        True, False, False, False, False]  # fmt: skip
