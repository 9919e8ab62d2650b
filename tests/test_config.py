"""Start-up configuration: a wrong value stops the start with one clear line, never a traceback."""

import os
import subprocess
import sys

import pytest

from bot.config import ConfigError, load_settings


def run_bot(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )


@pytest.mark.slow  # starts `python -m bot`
@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "mysql://localhost/x"), ("DATABASE_URL", "::not a url::"), ("DEFAULT_LOCALE", "de")],
)
def test_a_wrong_setting_names_the_variable_in_one_line(name, value, tmp_path):
    result = run_bot("console", **{name: value})
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert name in line and "Configuration error" in line


def test_postgres_urls_get_the_async_driver():
    settings = load_settings(database_url="postgresql://postgres@127.0.0.1/test", _env_file=None)
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1/test"


def test_coordinator_ids_are_a_comma_separated_list():
    assert load_settings(coordinator_telegram_ids="12, 34", _env_file=None).coordinator_telegram_ids == [12, 34]
    with pytest.raises(ConfigError, match="COORDINATOR_TELEGRAM_IDS"):
        load_settings(coordinator_telegram_ids="12,abc", _env_file=None)


def test_slack_needs_a_signing_secret_or_an_app_token_and_an_http_api_url():
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET .* or SLACK_APP_TOKEN .* must be set"):
        load_settings(slack_bot_token="xoxb-1", _env_file=None)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN must be set"):
        load_settings(slack_app_token="xapp-1", _env_file=None)
    assert load_settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1", _env_file=None).slack_app_token
    with pytest.raises(ConfigError, match="SLACK_API_URL"):
        load_settings(slack_api_url="slack.com/api", _env_file=None)
    settings = load_settings(
        slack_bot_token="xoxb-1", slack_signing_secret="s", slack_coordinator_ids="U1, U2", _env_file=None
    )
    assert settings.slack_coordinator_ids == ["U1", "U2"]


@pytest.mark.parametrize(
    "name", ["@Gangmaker_Kortrijk_bot", "Gangmaker Kortrijk bot", "Gangmaker", "xbot", "x" * 30 + "bot"]
)
def test_a_telegram_username_that_would_print_dead_links_stops_the_start(name):
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_USERNAME") as refused:
        load_settings(telegram_bot_username=name, _env_file=None)
    assert "\n" not in str(refused.value)


def test_a_telegram_username_is_taken_as_telegram_spells_it():
    assert load_settings(telegram_bot_username="Gangmaker_Kortrijk_bot", _env_file=None).telegram_bot_username == (
        "Gangmaker_Kortrijk_bot"
    )


def test_a_metrics_token_is_long_and_has_no_spaces():
    for weak in ("short", "metrics token with spaces"):
        with pytest.raises(ConfigError, match="METRICS_TOKEN"):
            load_settings(metrics_token=weak, _env_file=None)
    assert load_settings(_env_file=None).metrics_token is None  # /metrics is then not served at all
    assert load_settings(metrics_token="", _env_file=None).metrics_token is None  # `METRICS_TOKEN=` alike
    token = load_settings(metrics_token="Zq4-v8_kP2xW9mN3rT6y", _env_file=None).metrics_token
    assert token is not None and token.get_secret_value() == "Zq4-v8_kP2xW9mN3rT6y"
