"""Settings, read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-in-production-this-is-not-a-secret"

CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    public_url: str = "http://127.0.0.1:8000"
    reelbyte_data_dir: Path = Path(".reelbyte")

    database_url: str | None = None
    redis_url: str | None = None
    db_pool_size: int = 10
    # A job worker silent this long is dead: its running jobs go back to the queue.
    worker_stalled_after_seconds: float = Field(default=30.0, gt=0)
    ws_ping_interval_seconds: float = Field(default=20.0, gt=0)
    ws_ping_timeout_seconds: float = Field(default=20.0, gt=0)

    secret_key: str = DEFAULT_SECRET_KEY
    access_token_expire_minutes: int = 15
    refresh_token_expire_days: int = 7
    password_reset_expire_minutes: int = 60
    email_verification_expire_hours: int = 48
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

    platform_fee_percentage: Decimal = Decimal("15")
    minimum_payout: Decimal = Decimal("20.00")
    default_currency: str = "EUR"
    auto_complete_days: int = 3

    message_digest_quiet_minutes: int = Field(default=15, ge=0)
    message_digest_max_wait_minutes: int = Field(default=60, ge=0)

    payment_provider: Literal["sandbox", "mollie", "stripe"] = "sandbox"
    mollie_api_key: str | None = None
    mollie_api_endpoint: str | None = None  # only to point the client at a test server
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # only to point the client at a test server

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
    log_json: bool = True

    @field_validator("allowed_origins", "allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError("SECRET_KEY must be set to a real secret when ENVIRONMENT=production")
        return self

    @model_validator(mode="after")
    def _require_provider_credentials(self) -> Settings:
        if self.payment_provider == "mollie" and not self.mollie_api_key:
            raise ValueError("MOLLIE_API_KEY must be set when PAYMENT_PROVIDER=mollie")
        if self.payment_provider == "stripe" and not (self.stripe_api_key and self.stripe_webhook_secret):
            raise ValueError(
                "STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET must be set when PAYMENT_PROVIDER=stripe"
            )
        return self

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def uses_embedded_redis(self) -> bool:
        return self.redis_url is None


@lru_cache
def get_settings() -> Settings:
    return Settings()
