from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from reelbyte.core.config import SECRET_KEY_FILE, Settings


def _settings_without_secret_key(monkeypatch: pytest.MonkeyPatch, data_dir: Path, **values: Any) -> Settings:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return Settings(_env_file=None, reelbyte_data_dir=data_dir, **values)  # type: ignore[call-arg]


def test_production_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        _settings_without_secret_key(monkeypatch, tmp_path, environment="production")
    assert not (tmp_path / SECRET_KEY_FILE).exists()
    assert Settings(environment="production", secret_key="a-real-secret-" * 4).environment == "production"


def test_without_a_secret_key_one_is_generated_once_per_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = _settings_without_secret_key(monkeypatch, tmp_path / "one").secret_key
    again = _settings_without_secret_key(monkeypatch, tmp_path / "one").secret_key
    elsewhere = _settings_without_secret_key(monkeypatch, tmp_path / "two").secret_key
    assert first == again  # a restart keeps the key, so issued tokens stay valid
    assert elsewhere != first
    assert len(first) >= 64
    assert Settings.model_fields["secret_key"].default == ""  # no key is written in the code
    stored = tmp_path / "one" / SECRET_KEY_FILE
    assert stored.read_text().strip() == first
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert [path.name for path in stored.parent.iterdir()] == [SECRET_KEY_FILE]  # no temporary left


def test_an_explicit_secret_key_is_used_and_nothing_is_stored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SECRET_KEY", "configured-" * 6)
    settings = Settings(_env_file=None, reelbyte_data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.secret_key == "configured-" * 6
    assert not (tmp_path / SECRET_KEY_FILE).exists()


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
