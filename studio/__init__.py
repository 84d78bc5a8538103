"""Video generation studio.

Importing this package is cheap: it loads no torch, no diffusers and no gradio.
Heavy libraries are imported by ``studio.engine`` (torch, diffusers) and
``studio.ui`` (gradio) only when those layers are started.
"""

__version__ = "0.1.0"
