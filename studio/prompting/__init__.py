"""Prompt assistant: structure a loose idea into fields, compile them per model family (pure Python)."""
