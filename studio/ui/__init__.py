"""Gradio front end: one module per tab; handlers adapt widget values to services.

Importing ``studio.ui`` loads neither gradio nor torch; ``build_ui`` does.
"""
