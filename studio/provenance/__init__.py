"""Responsible-AI building blocks (pure: numpy, OpenCV, c2pa, cryptography; no torch).

- ``policy``: the operator's prompt policy (categories of words, phrases, regular expressions).
"""
