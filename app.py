"""Entry point: ``python app.py`` starts the studio (locally and on a Hugging Face Space)."""

from __future__ import annotations

import os
import sys

from studio.cli import main

if __name__ == "__main__":
    argv = sys.argv[1:]
    if not {"serve", "generate"} & set(argv):
        argv.append("serve")
        if os.environ.get("SPACE_ID"):  # a Hugging Face Space serves on all interfaces
            argv += ["--host", "0.0.0.0", "--port", os.environ.get("PORT", "7860")]
    raise SystemExit(main(argv))
