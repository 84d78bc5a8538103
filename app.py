"""Entry point: ``python app.py [--port 8000 ...]`` starts the studio (locally and on a Hugging Face Space)."""

from __future__ import annotations

import os
import sys

from studio.cli import main
from studio.hosting.space import apply_space_defaults, entry_argv

if __name__ == "__main__":
    apply_space_defaults(os.environ)  # bind to all interfaces, retention, upload cap: only on a Space
    raise SystemExit(main(entry_argv(sys.argv[1:])))
