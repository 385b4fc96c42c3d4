"""Settings, read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import tempfile
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Without SECRET_KEY (outside production) the key is generated once and kept here, in the data folder.
SECRET_KEY_FILE = "secret_key"

CommaList = Annotated[list[str], NoDecode]

PAYOUT_PROVIDERS = ("sandbox", "stripe", "mollie", "paypal", "venmo")


class PayoutFee(BaseModel):
    """One payout provider's charge on a withdrawal: `percent` of it plus `fixed`, at most `max`
    (amounts in the payout's currency)."""

    model_config = ConfigDict(extra="forbid")

    percent: Decimal = Field(default=Decimal("0"), ge=0, lt=100)
    fixed: Decimal = Field(default=Decimal("0"), ge=0, decimal_places=2)
    max: Decimal | None = Field(default=None, ge=0, decimal_places=2)


class FeeRule(BaseModel):
    """One entry of PROCESSING_FEES: a percentage of the order's amount plus a fixed amount."""

    model_config = ConfigDict(extra="forbid")

    percent: Decimal = Field(default=Decimal(0), ge=0, le=100, decimal_places=2)
    fixed: Decimal = Field(default=Decimal(0), ge=0, le=1000, decimal_places=2)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    public_url: str = "http://127.0.0.1:8000"
    reelbyte_data_dir: Path = Path(".reelbyte")

    database_url: str | None = None
    # A streaming replica (hot standby) of DATABASE_URL for the public read routes; unset: they
    # read the primary. The author of a write reads the primary for REPLICA_STICKY_SECONDS after
    # it (core/routing.py), longer than the replica's replay lag is expected to be.
    database_replica_url: str | None = None
    replica_sticky_seconds: int = Field(default=5, ge=1, le=3600)
    redis_url: str | None = None
    # Longest wait for Redis to connect, to answer, or to free a pooled connection; after a failure
    # Redis is skipped for a few seconds (core/redis.py), so a hung Redis cannot stall requests.
    redis_timeout_seconds: float = Field(default=1.0, gt=0)
    redis_max_connections: int = Field(default=50, ge=1)
    # Connections kept open per process: at least the requests served at once, so that none
    # opens a connection of its own (bench/compare.py: a pool smaller than the load cost a new
    # connection for a third of the requests). A burst beyond it borrows up to half as many more.
    db_pool_size: int = Field(default=20, ge=1)
    # A job worker silent this long is dead: its running jobs go back to the queue.
    worker_stalled_after_seconds: float = Field(default=30.0, gt=0)
    # Jobs a worker runs at once: those of every queue but media, and media's (transcodes, each
    # using up to two cores) in a worker of their own beside it.
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    media_worker_concurrency: int = Field(default=1, ge=1, le=64)
    ws_ping_interval_seconds: float = Field(default=20.0, gt=0)
    ws_ping_timeout_seconds: float = Field(default=20.0, gt=0)

    # Signs access tokens. Unset: generated on first start and kept in REELBYTE_DATA_DIR/secret_key
    # (mode 0600), so tokens outlive a restart; production must set it.
    secret_key: str = ""
    access_token_expire_minutes: int = 15
    refresh_token_expire_days: int = 7
    # A refresh token presented again this soon after it was rotated (two tabs refreshing at once)
    # gets the same new pair; later, it is taken for a stolen copy and the session is ended.
    refresh_reuse_grace_seconds: float = Field(default=10.0, ge=0)
    password_reset_expire_minutes: int = 60
    email_verification_expire_hours: int = 48
    # Ordering, publishing a gig, proposing and withdrawing need a verified e-mail address;
    # unset: required everywhere but in development (`email_verification_required`).
    require_verified_email: bool | None = None
    email_change_expire_hours: int = 24
    # Argon2id cost (the defaults are OWASP's and pwdlib's); lower only for tests.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536

    allowed_origins: CommaList = Field(default_factory=lambda: ["http://localhost:3000"])
    allowed_hosts: CommaList = Field(default_factory=lambda: ["*"])
    trusted_proxies: CommaList = Field(default_factory=list)

    rate_limit_enabled: bool = True
    rate_limit_public: str = "100/minute"
    rate_limit_authenticated: str = "1000/minute"
    rate_limit_creator: str = "2000/minute"
    rate_limit_login: str = "5/minute"
    rate_limit_register: str = "3/hour"
    rate_limit_messages: str = "100/hour"
    # Each API key (identity/api_keys.py) on its own, whoever owns it.
    rate_limit_api_key: str = "600/minute"

    platform_fee_percentage: Decimal = Decimal("15")
    minimum_payout: Decimal = Decimal("20.00")
    default_currency: str = "EUR"
    auto_complete_days: int = 3
    review_window_days: int = Field(default=10, ge=1, le=90)
    review_half_life_days: int = Field(default=365, ge=1, le=3650)

    message_digest_quiet_minutes: int = Field(default=15, ge=0)
    message_digest_max_wait_minutes: int = Field(default=60, ge=0)
    # Before two users have an order together, hide contact details in their messages and flag
    # the conversation for review (messaging/contact_details.py).
    mask_contact_details: bool = True

    payment_provider: Literal["sandbox", "mollie", "stripe", "paypal"] = "sandbox"
    # Further providers whose methods a checkout may name (e.g. `paypal` next to Stripe's cards);
    # PAYMENT_PROVIDER stays the default one and the one that pays withdrawals.
    payment_providers: CommaList = Field(default_factory=list)
    mollie_api_key: str | None = None
    mollie_api_endpoint: str | None = None  # only to point the client at a test server
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # only to point the client at a test server
    # Mollie Connect: creators link their Mollie organisation through OAuth to be paid there.
    mollie_client_id: str | None = None
    mollie_client_secret: str | None = None
    mollie_oauth_endpoint: str | None = None  # only to point OAuth at a test server
    # What a payout provider charges per withdrawal, as JSON, e.g. {"paypal": {"percent": "2",
    # "fixed": "0.25", "max": "20"}, "stripe": {"fixed": "0.25"}}; the creator gets amount - fee.
    payout_fees: dict[str, PayoutFee] = Field(default_factory=dict)
    # A payout method's e-mailed confirmation link (PayPal, Venmo) works this long.
    payout_method_link_expire_hours: int = Field(default=48, ge=1, le=720)
    paypal_client_id: str | None = None
    paypal_client_secret: str | None = None
    paypal_webhook_id: str | None = None  # the id PayPal gave the webhook; signatures name it
    paypal_environment: Literal["sandbox", "live"] = "sandbox"
    paypal_api_base: str | None = None  # only to point the client at a test server
    # Processing fees passed to the client at checkout, per provider and payment method (JSON):
    # {"mollie": {"ideal": {"fixed": "0.29"}, "creditcard": {"percent": "1.8", "fixed": "0.25"}}}.
    # Charged on top of the order's amount and never refunded (payments/processing_fees.py).
    processing_fees: dict[str, dict[str, FeeRule]] = Field(default_factory=dict)
    # A subscription whose renewal failed stays on its plan (past due) this long, then ends.
    billing_grace_days: int = Field(default=7, ge=0, le=60)

    # Files: `s3` talks to any S3-compatible store (an embedded SeaweedFS when S3_ENDPOINT_URL
    # is unset); `cloudinary` to Cloudinary, through CLOUDINARY_URL.
    storage_backend: Literal["s3", "cloudinary"] = "s3"
    s3_endpoint_url: str | None = None
    s3_bucket: str = "reelbyte-media"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_region: str = "us-east-1"
    cloudinary_url: str | None = None  # cloudinary://<api key>:<api secret>@<cloud name>
    cloudinary_api_base: str | None = None  # only to point the client at a test server
    # Public media (avatars, galleries, portfolio) are served from here (a CDN) when set;
    # otherwise from the store itself. Private files always get short-lived signed URLs.
    media_public_base_url: str | None = None
    media_url_expire_seconds: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    upload_url_expire_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    storage_quota_mb: int = Field(default=5120, ge=1)
    rate_limit_uploads: str = "50/hour"
    # Finished video jobs (trims, auto-hooks) and their clips are deleted this long after.
    video_job_retention_days: int = Field(default=30, ge=1, le=3650)
    # x264 preset of HLS ladders and delivery previews (media/hls.py): tests use ultrafast.
    video_encode_preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"] = (
        "veryfast"
    )
    # Who scores auto-hooks' candidate moments (studio/scoring.py): `offline` (loudness, scene
    # changes, motion), or an LLM given their measures; any failure of the LLM falls back to offline.
    hook_scorer: Literal["offline", "openai", "anthropic"] = "offline"
    hook_scorer_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    openai_api_key: str | None = None
    openai_model: str = "gpt-4.1-mini"
    openai_base_url: str | None = None  # only to point the client at a test server
    anthropic_api_key: str | None = None
    anthropic_model: str = "claude-haiku-4-5"
    anthropic_base_url: str | None = None  # only to point the client at a test server

    email_backend: Literal["console", "smtp"] = "console"
    from_email: str = "ReelByte <noreply@reelbyte.local>"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_timeout_seconds: float = 10.0

    log_level: str = "INFO"
    # auto: readable console lines in development, JSON lines otherwise (test, production).
    log_format: Literal["auto", "console", "json"] = "auto"

    # Traces (core/telemetry.py), off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: the collector's
    # OTLP/HTTP base URL (spans go to <endpoint>/v1/traces). The service name defaults to
    # reelbyte-api or reelbyte-worker; the sampler keeps this share of new traces (parent-based).
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str | None = None
    otel_traces_sampler_arg: float = Field(default=1.0, ge=0, le=1)
    # Error reports to Sentry, off unless SENTRY_DSN is set; the environment defaults to ENVIRONMENT.
    sentry_dsn: str | None = None
    sentry_environment: str | None = None
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0, le=1)

    # /metrics answers these client addresses (networks allowed) and, when METRICS_TOKEN is set,
    # any client sending `Authorization: Bearer <METRICS_TOKEN>`.
    metrics_allowed_ips: CommaList = Field(default_factory=lambda: ["127.0.0.0/8", "::1"])
    metrics_token: str | None = None

    # Outgoing webhooks (billing/webhooks.py): a receiver gets this long to answer; an endpoint
    # whose deliveries failed for good this many times in a row is disabled and its owner e-mailed.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_disable_after_failures: int = Field(default=5, ge=1)
    # Hosts (names, addresses or networks) a webhook may target although they are not public
    # (billing/net_guard.py): an internal integration, or a test's local receiver.
    webhook_allowed_hosts: CommaList = Field(default_factory=list)

    @field_validator(
        "allowed_origins",
        "allowed_hosts",
        "trusted_proxies",
        "metrics_allowed_ips",
        "webhook_allowed_hosts",
        "payment_providers",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("payout_fees")
    @classmethod
    def _known_payout_providers(cls, fees: dict[str, PayoutFee]) -> dict[str, PayoutFee]:
        unknown = sorted(set(fees) - set(PAYOUT_PROVIDERS))
        if unknown:
            raise ValueError(
                f"PAYOUT_FEES names unknown providers {unknown}; known: {list(PAYOUT_PROVIDERS)}"
            )
        return fees

    @field_validator("metrics_allowed_ips")
    @classmethod
    def _networks(cls, networks: list[str]) -> list[str]:
        for network in networks:
            ipaddress.ip_network(network, strict=False)  # a ValueError names the bad entry
        return networks

    @field_validator("processing_fees")
    @classmethod
    def _fee_providers(cls, fees: dict[str, dict[str, FeeRule]]) -> dict[str, dict[str, FeeRule]]:
        unknown = set(fees) - {"sandbox", "mollie", "stripe", "paypal"}
        if unknown:
            raise ValueError(f"PROCESSING_FEES: unknown provider(s) {sorted(unknown)}")
        return fees

    @model_validator(mode="after")
    def _secret_key_set_or_stored(self) -> Settings:
        if not self.secret_key:
            if self.environment == "production":
                raise ValueError("SECRET_KEY must be set when ENVIRONMENT=production")
            self.secret_key = stored_secret_key(self.reelbyte_data_dir / SECRET_KEY_FILE)
        return self

    @model_validator(mode="after")
    def _require_provider_credentials(self) -> Settings:
        # The sandbox only ever stands in alone: its notices share Mollie's webhook.
        unknown = set(self.payment_providers) - {"mollie", "stripe", "paypal"}
        if unknown:
            raise ValueError(
                f"PAYMENT_PROVIDERS: unknown provider(s) {sorted(unknown)} (mollie, stripe or paypal)"
            )
        providers = {self.payment_provider, *self.payment_providers}
        if "mollie" in providers and not self.mollie_api_key:
            raise ValueError("MOLLIE_API_KEY must be set when PAYMENT_PROVIDER=mollie")
        if "stripe" in providers and not (self.stripe_api_key and self.stripe_webhook_secret):
            raise ValueError(
                "STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET must be set when PAYMENT_PROVIDER=stripe"
            )
        if "paypal" in providers and not (
            self.paypal_client_id and self.paypal_client_secret and self.paypal_webhook_id
        ):
            raise ValueError(
                "PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID must be set when "
                "PAYMENT_PROVIDER=paypal (or PAYMENT_PROVIDERS names paypal)"
            )
        if self.storage_backend == "cloudinary" and not self.cloudinary_url:
            raise ValueError("CLOUDINARY_URL must be set when STORAGE_BACKEND=cloudinary")
        if self.hook_scorer == "openai" and not self.openai_api_key:
            raise ValueError("OPENAI_API_KEY must be set when HOOK_SCORER=openai")
        if self.hook_scorer == "anthropic" and not self.anthropic_api_key:
            raise ValueError("ANTHROPIC_API_KEY must be set when HOOK_SCORER=anthropic")
        return self

    @property
    def logs_as_json(self) -> bool:
        if self.log_format == "auto":
            return self.environment != "development"
        return self.log_format == "json"

    @property
    def email_verification_required(self) -> bool:
        if self.require_verified_email is None:
            return self.environment != "development"
        return self.require_verified_email

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def uses_embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def uses_embedded_s3(self) -> bool:
        return self.storage_backend == "s3" and self.s3_endpoint_url is None


def stored_secret_key(path: Path) -> str:
    """The key kept at `path`; on first use a random one, written there with mode 0600.

    The key is written to a temporary file first and then linked into place, so two processes
    starting at once (the API and the worker) never read a half-written file and agree on one key.
    """
    path = path.expanduser()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(64))
            with contextlib.suppress(FileExistsError):  # another process stored its key first
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it to generate a new key, or set SECRET_KEY")
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
