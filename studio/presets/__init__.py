"""Presets and share links (pure: pydantic and the standard library).

- ``schema``: the versioned preset file format, its migrations, value validation;
- ``library``: curated presets (``<repo>/presets``) plus user presets (``<data_dir>/presets``);
- ``links``: settings <-> the ``?s=`` parameter of a share link.
"""
