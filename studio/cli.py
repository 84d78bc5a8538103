"""Command line: ``studio serve`` and ``studio generate`` (headless, with a progress bar)."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from studio.config import Settings
from studio.errors import StudioError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studio", description="Video generation studio")
    parser.add_argument("--data-dir", type=Path, help="jobs.db, outputs/ and models/ (env STUDIO_DATA_DIR)")
    parser.add_argument("--device", help="auto, cpu, cuda, cuda:1, mps (env STUDIO_DEVICE)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the web studio")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    gen = sub.add_parser("generate", help="generate one video headless")
    gen.add_argument("--prompt", required=True)
    gen.add_argument("--negative-prompt", default=None, help="default: the model's (Wan: the card's standard one)")
    gen.add_argument("--model", help="registered key, local folder or hub id (default: the settings' default)")
    gen.add_argument("--width", type=int)
    gen.add_argument("--height", type=int)
    gen.add_argument("--frames", type=int, dest="num_frames")
    gen.add_argument("--fps", type=int)
    gen.add_argument("--steps", type=int)
    gen.add_argument("--guidance", type=float, dest="guidance_scale")
    gen.add_argument("--seed", type=int)
    gen.add_argument("--out", type=Path, default=Path("clip.mp4"), help="where to copy the video (default clip.mp4)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in {"data_dir": args.data_dir, "device": args.device,
                 "host": getattr(args, "host", None), "port": getattr(args, "port", None)}.items() if v is not None}  # fmt: skip
    return Settings(**overrides)


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from studio.container import build_container
    from studio.jobs.validation import build_request

    container = build_container(settings)
    try:
        spec = container.registry.resolve(args.model or settings.default_model)
        values = spec.defaults.model_dump()
        values.update({k: getattr(args, k) for k in ("width", "height", "num_frames", "fps", "steps", "guidance_scale")
                       if getattr(args, k) is not None})  # fmt: skip
        values.update({} if args.negative_prompt is None else {"negative_prompt": args.negative_prompt})
        request = build_request(prompt=args.prompt, model=spec.key, seed=args.seed, **values)
        job = container.jobs.submit(request)
        print(f"job {job.id} · {spec.display_name} · seed {job.seed}" + (f" · {job.message}" if job.message != "queued" else ""))
        with container.jobs.subscribe(job.id) as events, tqdm(total=request.steps, unit="step") as bar:
            while True:
                event = events.get(timeout_s=1.0)
                if event is None:
                    if container.jobs.get(job.id).status.is_terminal:
                        break
                    continue
                bar.set_description(event.phase.value)
                bar.n = event.step
                bar.refresh()
                if event.kind == "status" and event.status.is_terminal:
                    break
        job = container.jobs.get(job.id)
        if job.status.value != "succeeded":
            print(f"{job.status.value}: {job.error or job.message}", file=sys.stderr)
            return 1
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(container.jobs.output_dir(job.id) / (job.outputs.video or "video.mp4"), args.out)
        print(f"wrote {args.out} ({job.request.num_frames} frames, {job.request.width}x{job.request.height}, seed {job.seed})")
        return 0
    finally:
        container.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = _settings(args)
        if args.command == "serve":
            from studio.container import build_container
            from studio.server import serve

            serve(build_container(settings))
            return 0
        return _generate(args, settings)
    except StudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
