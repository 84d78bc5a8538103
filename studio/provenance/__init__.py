"""Responsible-AI building blocks (pure: numpy, OpenCV, cryptography, c2pa-python; no torch).

- ``policy``: the operator's prompt policy (categories of words, phrases, regular expressions).
- ``watermark``: the invisible, self-synchronising watermark in the frames (32-bit id + CRC-16).
- ``identity``: the signing certificate: the operator's (checked) or a local studio CA.
- ``credentials``: C2PA manifests: sign an exported file, read and validate any file's.
- ``verify``: what ``studio verify`` and the Verify panel report (credentials + watermark).
- ``robustness``: the transformations the watermark must survive, test scenes, detection rates.
"""
