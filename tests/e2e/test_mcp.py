"""With STUDIO_MCP=1 the studio is an MCP server whose tools are the generation tabs and the prompt assistant."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import Server


def test_the_tools_are_listed_with_descriptions(studio_server: Server) -> None:
    tools = {tool["name"]: tool for tool in httpx.get(f"{studio_server.url}/gradio_api/mcp/schema", timeout=30).json()}
    for name, words in (("text_to_video", "text-to-video"), ("image_to_video", "image-to-video"),
                        ("structure_prompt", "structure")):  # fmt: skip
        assert name in tools, sorted(tools)
        assert words in tools[name]["description"].lower()
    t2v = tools["text_to_video"]["inputSchema"]["properties"]
    assert "prompt" in t2v and t2v["prompt"].get("description")
    i2v = tools["image_to_video"]["inputSchema"]["properties"]
    assert "image" in i2v and "presets" in i2v and i2v["presets"].get("description")
