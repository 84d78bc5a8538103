"""Command line: ``studio serve``, ``studio generate`` (headless, with a progress bar), ``studio report VIDEO``,
``studio interpolate VIDEO`` and ``studio verify FILE``."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from studio.config import Settings
from studio.errors import InvalidRequestError, StudioError


def _common_options(*, in_command: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name (``app.py --data-dir X`` and ``serve --data-dir X``)."""
    common = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if in_command else None  # a command's copy never overrides the global one
    common.add_argument("--data-dir", type=Path, default=default, help="jobs.db, outputs/ and models/ (env STUDIO_DATA_DIR)")
    common.add_argument("--device", default=default, help="auto, cpu, cuda, cuda:1, mps (env STUDIO_DEVICE)")
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studio", description="Video generation studio", parents=[_common_options(in_command=False)])
    sub = parser.add_subparsers(dest="command", required=True)
    command = _common_options(in_command=True)
    serve = sub.add_parser("serve", help="start the web studio", parents=[command])
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    gen = sub.add_parser("generate", help="generate one video headless", parents=[command])
    gen.add_argument("--prompt", default="", help="what to generate (image to video: optional)")
    gen.add_argument("--preset", help="a preset's name (presets/ or your saved ones); flags given here win over it")
    gen.add_argument("--image", type=Path, help="source image: makes it image to video")
    gen.add_argument("--video", type=Path, help="source clip (mp4, mov, webm, mkv, gif): makes it video to video, "
                     "re-rendered as --prompt says; --guide-strength is how much of it stays (default 0.6)")
    gen.add_argument("--camera", help="camera presets, comma-separated (e.g. pan_left,zoom_in)")
    gen.add_argument("--camera-strength", type=float, help="scales the camera presets (default 1)")
    gen.add_argument("--camera-file", type=Path, help="camera path file (studio JSON or RealEstate10K .txt)")
    gen.add_argument("--arrows", help="motion arrows as JSON (a list of {points, radius, ...}) or @file.json")
    gen.add_argument("--arrow-steering", choices=("dual_clock", "guide"),
                     help="dual_clock (default): what the arrows drag follows the guide longer than the rest")
    gen.add_argument("--arrow-strength", type=float,
                     help="dual clock: share of the steps the dragged regions follow the guide (0..1, default 0.6)")
    gen.add_argument("--guide-strength", type=float,
                     help="share of the steps the whole frame follows the guide (0..1, default 0)")
    gen.add_argument("--negative-prompt", default=None, help="default: the model's (Wan: the card's standard one)")
    gen.add_argument("--model", help="registered key, local folder or hub id (default: the settings' default)")
    gen.add_argument("--width", type=int)
    gen.add_argument("--height", type=int)
    gen.add_argument("--frames", type=int, dest="num_frames")
    gen.add_argument("--fps", type=int)
    gen.add_argument("--steps", type=int)
    gen.add_argument("--guidance", type=float, dest="guidance_scale")
    gen.add_argument("--seed", type=int)
    gen.add_argument("--flow-shift", type=float, help="scheduler shift (default: the model card's for the size)")
    gen.add_argument("--step-cache", choices=("off", "first_block", "mag", "taylorseer"), help="skip transformer passes")
    gen.add_argument("--keyframe-factor", type=int, help="keyframe mode: the model makes every k-th frame (1 = off)")
    gen.add_argument("--keyframe-fill", choices=("flow", "model"),
                     help="keyframe mode's in-betweens: optical flow (default) or the model conditioned on the keyframes")
    gen.add_argument("--format", choices=("mp4", "webm", "gif", "png_zip"), help="export format (default mp4)")
    gen.add_argument("--lora", action="append", metavar="SOURCE[:WEIGHT]",
                     help="a LoRA (registered key, hub id or file), repeatable; weight 1 unless given")
    gen.add_argument("--set", action="append", metavar="FIELD=VALUE",
                     help="any request field (value as JSON, else text), repeatable: e.g. step_cache_threshold=0.1")
    gen.add_argument("--out", type=Path, default=Path("clip.mp4"), help="where to copy the video (default clip.mp4)")
    report = sub.add_parser("report", help="print the temporal-consistency report of any video file")
    report.add_argument("video", type=Path, help="a video file (or a studio PNG-frames zip)")
    report.add_argument("--json", action="store_true", help="print the whole report as JSON")
    interp = sub.add_parser("interpolate", help="add in-between frames to a video (optical flow, no weights)")
    interp.add_argument("video", type=Path)
    target = interp.add_mutually_exclusive_group(required=True)
    target.add_argument("--factor", type=int, help="frames per source gap (2 = one in-between per pair)")
    target.add_argument("--frames", type=int, dest="num_frames", help="output frame count (first and last kept)")
    target.add_argument("--fps", type=float, help="output frame rate, same duration")
    interp.add_argument("--out", type=Path, required=True, help="output file (.mp4, .webm, .gif or .zip)")
    verify = sub.add_parser("verify", help="read a file's content credentials and watermark")
    verify.add_argument("file", type=Path)
    verify.add_argument("--json", action="store_true", help="print the full report as JSON")
    return parser


def _interpolate(args: argparse.Namespace) -> int:
    from studio.media.export import export_video
    from studio.media.formats import ExportSettings
    from studio.media.interpolate import frames_for_fps, interpolate, interpolation_times
    from studio.media.reading import read_video

    formats = {".mp4": "mp4", ".webm": "webm", ".gif": "gif", ".zip": "png_zip"}
    fmt = formats.get(args.out.suffix.lower())
    if fmt is None:
        raise InvalidRequestError(f"output {args.out.name!r}: use a .mp4, .webm, .gif or .zip name")
    clip = read_video(args.video)
    count = len(clip.frames)
    if args.fps is not None:
        times, fps = interpolation_times(count, num_frames=frames_for_fps(count, clip.fps, args.fps)), args.fps
    elif args.factor is not None:
        times, fps = interpolation_times(count, factor=args.factor), clip.fps * args.factor
    else:
        times = interpolation_times(count, num_frames=args.num_frames)
        fps = clip.fps * (args.num_frames - 1) / max(1, count - 1)
    result = interpolate(clip.frames, times)
    settings = {"source": args.video.name, "interpolated_frames": result.interpolated, "fps": fps}
    export_video(result.frames, args.out, max(1, round(fps)), settings, settings=ExportSettings(format=fmt))  # type: ignore[arg-type]
    print(f"wrote {args.out}: {len(result.frames)} frames ({len(result.interpolated)} interpolated) at {round(fps)} fps")
    return 0


def _report(args: argparse.Namespace) -> int:
    from studio.media.reading import read_video
    from studio.quality.report import compute_report, report_text

    clip = read_video(args.video)
    report = compute_report(clip.frames, clip.fps)
    print(report.model_dump_json(indent=1) if args.json else f"{args.video}\n{report_text(report)}")
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in {"data_dir": args.data_dir, "device": args.device,
                 "host": getattr(args, "host", None), "port": getattr(args, "port", None)}.items() if v is not None}  # fmt: skip
    if args.command == "generate":
        overrides["allow_local_models"] = True  # the person at the terminal may name any folder of the machine
    return Settings(**overrides)


def _chosen_values(args: argparse.Namespace, container) -> dict:
    """Request values from the preset (if any), then the flags, which win; nothing else is filled here."""
    from studio.cli_motion import motion_from_flags
    from studio.cli_options import lora_values, set_values

    values: dict = {}
    if args.preset:
        preset = container.presets.get(args.preset).preset
        values.update(preset.values)
    values.update(set_values(args.set))  # the named flags below win over --set
    if args.lora:
        values["loras"] = lora_values(args.lora)
    if args.format:
        values["export"] = {**values.get("export", {}), "format": args.format}
    flags = {k: getattr(args, k) for k in ("model", "width", "height", "num_frames", "fps", "steps", "guidance_scale",
                                           "seed", "flow_shift", "arrow_steering", "arrow_strength",
                                           "guide_strength", "step_cache", "keyframe_factor",
                                           "keyframe_fill")}  # fmt: skip
    values.update({k: v for k, v in flags.items() if v is not None})
    prompt = args.prompt or values.get("prompt", "")
    if args.preset:
        prompt = preset.prompt_with_suffix(prompt)
    if args.negative_prompt is not None:  # None: the model's default negative prompt
        values["negative_prompt"] = args.negative_prompt
    motion = motion_from_flags(args.camera, args.camera_strength, args.camera_file, args.arrows, values.get("motion"))
    from studio.errors import InvalidRequestError

    if args.video is not None:
        if args.image is not None or args.camera or args.camera_file or args.arrows:
            raise InvalidRequestError("--video takes no --image, --camera, --camera-file or --arrows "
                                      "(the clip brings its own frames and motion)")  # fmt: skip
        values.update(mode="v2v", video=str(args.video))
    elif args.image is not None:
        values.update(mode="i2v", image=str(args.image), motion=motion.model_dump())
    elif args.camera or args.camera_file or args.arrows:
        raise InvalidRequestError("--camera, --camera-file and --arrows need --image (they animate an image)")
    values["prompt"] = prompt or None  # None: the model's (request_with_defaults)
    return values


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from studio.container import build_container
    from studio.jobs.defaults import request_with_defaults

    container = build_container(settings)
    try:
        request = request_with_defaults(_chosen_values(args, container), settings, container.registry)
        spec = container.registry.resolve(request.model, local_folders=True)
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


def _verify(args: argparse.Namespace) -> int:
    """Exit 0 when the file has valid credentials or the watermark, 1 when it has neither or was tampered with."""
    import json

    from studio.provenance.verify import verify_file

    report = verify_file(args.file)
    print(json.dumps(report.as_dict(), indent=2, default=str) if args.json else report.summary())
    valid = report.manifest.state in ("Valid", "Trusted") and not report.manifest.tampered
    return 0 if valid or (report.watermark.found and not report.manifest.tampered) else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "report":
            return _report(args)
        if args.command == "interpolate":
            return _interpolate(args)
        if args.command == "verify":
            return _verify(args)
        settings = _settings(args)
        if args.command == "serve":
            from studio.container import build_container
            from studio.server import serve

            serve(build_container(settings, serving=True))
            return 0
        return _generate(args, settings)
    except StudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
