from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from reelbyte.core.config import DEFAULT_SECRET_KEY, Settings


def test_production_refuses_the_default_secret_key() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEFAULT_SECRET_KEY)
    assert Settings(environment="production", secret_key="a-real-secret-" * 4).environment == "production"


def test_defaults_are_the_seed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "RATE_LIMIT_REGISTER",
        "RATE_LIMIT_LOGIN",
        "RATE_LIMIT_PUBLIC",
        "ARGON2_TIME_COST",
        "ARGON2_MEMORY_KIB",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.access_token_expire_minutes == 15
    assert settings.refresh_token_expire_days == 7
    assert settings.rate_limit_public == "100/minute"
    assert settings.rate_limit_authenticated == "1000/minute"
    assert settings.rate_limit_creator == "2000/minute"
    assert settings.rate_limit_login == "5/minute"
    assert settings.rate_limit_register == "3/hour"
    assert settings.platform_fee_percentage == Decimal("15")
    assert settings.minimum_payout == Decimal("20.00")
    assert (settings.argon2_time_cost, settings.argon2_memory_kib) == (3, 65536)


def test_lists_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,192.168.1.1")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.trusted_proxies == ["10.0.0.0/8", "192.168.1.1"]


def test_env_example_documents_every_setting() -> None:
    from reelbyte.core.config import Settings
    from tests.conftest import PROJECT_ROOT

    documented = (PROJECT_ROOT / ".env.example").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [name.upper() for name in Settings.model_fields if name.upper() not in documented]
    assert missing == [], f".env.example lacks {missing}"
    missing = [name.upper() for name in Settings.model_fields if name.upper() not in readme]
    assert missing == [], f"README's configuration table lacks {missing}"
