"""Temporal-consistency report of a clip (numpy / OpenCV, no learned weights).

- ``summary``: the typed parts a job carries (``QualitySummary``, ``QualityFlag``, ``FrameRange``, ``FrameOrigins``).
- ``metrics``: the measures (VBench flicker, brightness jumps, frozen runs, colour drift, warping error
  with occlusion mask, motion size, seam jumps).
- ``report``: ``compute_report`` -> ``QualityReport`` (series, summary, flags), ``report_text``, ``write_report``.
"""
