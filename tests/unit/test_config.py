"""Settings: environment parsing, endpoints, role URLs, and README documenting every key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from chitti.cli import main
from chitti.config import Settings, get_settings, role_database_url

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(field: str) -> None:
    assert f"`CHITTI_{field.upper()}`" in README.read_text()


def test_defaults_use_unix_sockets_in_the_private_run_dir(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.setenv("CHITTI_VAR_DIR", str(tmp_path))
    settings = Settings()
    assert settings.endpoints("compute") == [f"unix:{tmp_path}/run/compute.sock"]
    assert settings.database_url is None


def test_tcp_transport_uses_the_architecture_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHITTI_TRANSPORT", "tcp")
    settings = Settings()
    assert [settings.endpoints(s) for s in ("news-nlp", "signal-service", "compute")] == [
        ["tcp:127.0.0.1:6002"], ["tcp:127.0.0.1:6003"], ["tcp:127.0.0.1:6004"]]


def test_explicit_endpoints_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHITTI_COMPUTE_ENDPOINTS", "tcp:a:1, tcp:b:2")
    assert Settings().endpoints("compute") == ["tcp:a:1", "tcp:b:2"]


@pytest.mark.parametrize(("name", "value"), [
    ("CHITTI_TRANSPORT", "carrier-pigeon"), ("CHITTI_GATEWAY_PORT", "70000"),
    ("CHITTI_LOG_LEVEL", "LOUD"), ("CHITTI_DB_POOL_MAX_SIZE", "0"),
])
def test_invalid_settings_are_refused_with_the_key_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.removeprefix("CHITTI_").lower()):
        Settings()


@pytest.mark.parametrize("name", ["CHITTI_IPC_SECRET", "CHITTI_JWT_SECRET"])
def test_a_rejected_secret_is_named_but_never_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    secret = "hunter2-but-too-short"
    monkeypatch.setenv(name, secret)
    get_settings.cache_clear()
    try:
        assert main(["status"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert name in err and "at least 32" in err
    assert secret not in err
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert secret not in str(raised.value)


def test_pool_max_below_min_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHITTI_DB_POOL_MIN_SIZE", "6")
    with pytest.raises(ValidationError, match="MAX_SIZE must be >="):
        Settings()


def test_role_url_swaps_user_and_keeps_host_and_query() -> None:
    admin = "postgresql://postgres:secret@/chitti?host=/tmp/pg"
    assert role_database_url(admin, "chitti_news", None) == (
        "postgresql://chitti_news@/chitti?host=/tmp/pg")
    assert role_database_url("postgresql://a:b@db:5432/x", "r", "p@ss") == (
        "postgresql://r:p%40ss@db:5432/x")
