"""The one ``Settings`` object (environment prefix ``STUDIO_``).

Built once by the entry point and passed explicitly; nothing reads the
environment anywhere else. Units are in the names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set, with sane defaults for a laptop."""

    model_config = SettingsConfigDict(env_prefix="STUDIO_", extra="ignore")

    data_dir: Path = Field(Path("studio-data"), description="jobs.db, outputs/, models/")
    device: str = Field("auto", description="'auto', 'cpu', 'cuda', 'cuda:1', 'mps'")
    dtype: str = Field("auto", description="'auto' (bf16 on GPU, fp32 on CPU), 'float32', 'bfloat16', 'float16'")
    vram_budget_gb: float = Field(0.0, ge=0, description="0 = all free device memory")
    ram_budget_gb: float = Field(16.0, gt=0, description="memory for pipelines kept in RAM")
    default_model: str = "wan-demo"
    default_i2v_model: str = "motion-warp"
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=0, le=65535)
    max_frames: int = Field(161, ge=1)
    max_side_px: int = Field(1280, ge=16)
    max_steps: int = Field(200, ge=1)
    max_prompt_chars: int = Field(2000, ge=1)
    max_queue_length: int = Field(100, ge=1)
    preview_every_steps: int = Field(1, ge=1, description="a keyframe preview every k denoising steps")
    preview_keyframes: int = Field(4, ge=1, le=16, description="keyframes shown in each preview")
    api_token: str | None = Field(None, description="bearer token for /api/v1 (None = open)")
    offline: bool = Field(False, description="never contact the Hub (also set by HF_HUB_OFFLINE)")
    prompt_llm: str | None = Field(None, description="local folder or hub id of an instruction model for the prompt assistant")
    model_dir: Path | None = Field(None, description="demo models and local pipelines (default <data_dir>/models)")
    # -- step cache and LoRA --
    lora_dir: Path | None = Field(None, description="LoRA files clients may name by file name (default <data_dir>/loras)")
    allow_local_loras: bool = Field(False, description="let clients name LoRA files anywhere on this machine by path")
    # -- hosting and sharing --
    output_retention_days: float = Field(0.0, ge=0, description="remove finished jobs' outputs older than this (0 = keep)")
    output_retention_gb: float = Field(0.0, ge=0, description="keep the outputs folder under this size (0 = no limit)")
    mcp: bool = Field(False, description="serve the generation tabs as MCP tools (Gradio's MCP server)")
    # -- jobs API: owners, uploads, local models, webhooks --
    api_tokens: str | None = Field(None, description="per-client tokens 'name=token,name2=token2'; each sees its own jobs")
    allow_local_models: bool = Field(False, description="let requests name local model folders (else registered keys and hub ids)")
    max_upload_mb: float = Field(50.0, gt=0, description="largest accepted upload (REST and the web UI)")
    max_attempts: int = Field(2, ge=1, description="runs of a job interrupted by crashes before it fails")
    public_url: str | None = Field(None, description="base URL of this studio for links in webhooks (default http://host:port)")
    webhook_url: str | None = Field(None, description="a URL told of every job's start and end")
    webhook_secret: str | None = Field(None, description="'whsec_<base64>' signing key (default: made once, kept in the data dir)")
    webhook_allow_private: bool = Field(False, description="allow webhook targets on private or loopback addresses")
    webhook_max_attempts: int = Field(8, ge=1)
    webhook_backoff_s: float = Field(5.0, gt=0, description="first retry delay; doubles each attempt, with jitter")
    webhook_timeout_s: float = Field(10.0, gt=0)

    @property
    def outputs_dir(self) -> Path:
        return self.data_dir / "outputs"

    @property
    def models_dir(self) -> Path:
        return self.model_dir if self.model_dir is not None else self.data_dir / "models"

    @property
    def user_presets_dir(self) -> Path:
        return self.data_dir / "presets"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "jobs.db"

    # -- provenance (policy, content credentials, watermark) --
    policy_file: Path | None = Field(None, description="prompt policy (TOML, see docs/provenance.md); None = no rules")
    policy_classifier: Path | None = Field(None, description="local folder of a transformers text-classification model, used with the rules")
    c2pa_signing: bool = Field(True, description="sign every exported file with C2PA content credentials")
    c2pa_cert: Path | None = Field(None, description="operator's certificate chain (PEM, leaf first); None = a local studio CA")
    c2pa_key: Path | None = Field(None, description="private key (PEM) of c2pa_cert")
    watermark: bool = Field(True, description="embed the invisible watermark (job id) in every generated frame")
    watermark_psnr_db: float = Field(39.0, ge=30.0, le=60.0, description="image cost of the watermark (higher = fainter, less robust)")
    # -- serving latency --
    worker_threads: int | None = Field(None, ge=1, description="torch CPU threads of the generation worker "
                                       "(default: while serving on the CPU, the cores less one, left to the web server)")
    switch_interval_ms: float = Field(1.0, gt=0.0, le=100.0, description="while serving: how long a thread may hold "
                                      "the interpreter lock before another gets it (Python's default is 5 ms)")

    # -- scale out (Ray) --
    executor: Literal["local", "ray"] = Field("local", description="'local': worker threads in this process; 'ray': Ray actors")
    ray_address: str | None = Field(None, description="'host:port' of a running Ray cluster's head; None = start a local Ray")
    ray_workers: int = Field(1, ge=1, le=256, description="Ray worker actors (each owns its devices and a model manager)")
    ray_gpus_per_worker: int = Field(0, ge=0, le=64, description="GPUs each Ray worker reserves (0 = CPU workers)")
    ray_cpus_per_worker: float = Field(1.0, gt=0, le=512, description="CPUs each Ray worker reserves")
    ray_torch_threads: int = Field(0, ge=0, le=512, description="torch threads in each Ray worker (0 = its CPUs per worker)")
    ray_connect_timeout_s: float = Field(10.0, gt=0, le=600, description="how long the cluster's head may take to answer")
    ray_start_timeout_s: float = Field(180.0, gt=0, le=3600, description="how long the workers may take to start (they import torch)")

    # -- Ray throughput --
    preview_min_interval_ms: float = Field(250.0, ge=0.0, le=60_000.0, description="at least this long between two "
                                           "live previews of a run (the first and last step's always come; a step "
                                           "slower than this gets its own); 0 = every preview_every_steps. Ray "
                                           "workers use ray_preview_min_interval_ms")
    ray_preview_min_interval_ms: float = Field(250.0, ge=0.0, le=60_000.0, description="the same on Ray workers: "
                                               "their previews cross to the studio process, which writes them")
    section_min_lead_s: float = Field(3.0, ge=0.0, le=3600.0, description="a long clip's finished section is "
                                      "streamed (written as a short video and shown) while the rest of the clip is "
                                      "at least this far off, estimated from the run's step times; a section due "
                                      "later than that is noted and not written (the whole clip would replace it "
                                      "before it could be watched); 0 = every section")

    @property
    def loras_dir(self) -> Path:
        return self.lora_dir if self.lora_dir is not None else self.data_dir / "loras"

    # -- video upload --
    max_video_upload_mb: float = Field(100.0, gt=0, description="largest accepted source clip for video to video")
    max_video_seconds: float = Field(60.0, gt=0, description="longest accepted source clip, in seconds")
    max_video_frames: int = Field(1800, ge=1, description="most frames a source clip may decode to")
    max_video_side_px: int = Field(3840, ge=16, description="longest side of a source clip, in pixels")


#: folders shipped in the repository: example assets (served to the browser) and the curated presets
ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"
CURATED_PRESETS_DIR = Path(__file__).resolve().parents[1] / "presets"
