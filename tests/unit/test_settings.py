"""Settings: database URLs made async, lists read from commas, and every wrong value refused
in one line that names its variable."""

import pytest

from bot.config import DESCRIPTIONS, ConfigError, Settings, load_settings, normalise_database_url, settings_table


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch):
    """Only what a test passes counts, whatever the shell running the tests has set."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def settings(**values) -> Settings:
    return load_settings(_env_file=None, **values)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///gangmaker.db", "sqlite+aiosqlite:///gangmaker.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+aiosqlite:///g.db", "sqlite+aiosqlite:///g.db"),
        ("postgres://u:p%40ss@db:5433/gm", "postgresql+asyncpg://u:p%40ss@db:5433/gm"),  # the password kept, escaped
        ("postgresql://u@db/gm", "postgresql+asyncpg://u@db/gm"),
    ],
)
def test_database_urls_get_their_async_driver(url, expected):
    assert normalise_database_url(url) == expected
    assert settings(database_url=url).database_url == expected


@pytest.mark.parametrize(
    ("url", "message"), [("mysql://db/gm", "only sqlite and postgresql"), ("::not a url::", "not a database URL")]
)
def test_other_databases_are_refused(url, message):
    with pytest.raises(ValueError, match=message):
        normalise_database_url(url)


def test_id_lists_are_read_from_commas_leaving_out_blanks():
    read = settings(slack_coordinator_ids=" U1, ,U2 ,", coordinator_console_users="anna", coordinator_telegram_ids="")
    assert read.slack_coordinator_ids == ["U1", "U2"]
    assert read.coordinator_console_users == ["anna"]
    assert read.coordinator_telegram_ids == []


@pytest.mark.parametrize(
    ("values", "named"),
    [
        (dict(database_pool_size=0), "DATABASE_POOL_SIZE"),
        (dict(database_pool_size=101), "DATABASE_POOL_SIZE"),
        (dict(flood_limit="lots"), "FLOOD_LIMIT"),
        (dict(telegram_base_url="api.telegram.org"), "TELEGRAM_BASE_URL must start with http"),
        (dict(telegram_webhook_url="https://bot.example/telegram"), "TELEGRAM_WEBHOOK_SECRET must be set"),
        (
            dict(telegram_webhook_url="https://bot.example/telegram", telegram_webhook_secret="not secret"),
            "TELEGRAM_WEBHOOK_SECRET may only hold",
        ),
        (dict(telegram_rate=10, telegram_broadcast_rate=10), "TELEGRAM_BROADCAST_RATE must stay below TELEGRAM_RATE"),
        (dict(log_format="xml"), "LOG_FORMAT"),
        (dict(default_locale="de"), "DEFAULT_LOCALE"),
    ],
)
def test_a_wrong_value_is_one_configuration_error_naming_the_variable(values, named):
    with pytest.raises(ConfigError, match="Configuration error: .*" + named) as refused:
        settings(**values)
    assert "\n" not in str(refused.value)


def test_several_wrong_values_are_named_together():
    with pytest.raises(ConfigError) as refused:
        settings(database_pool_size=0, port=0)
    assert str(refused.value).startswith("Configuration error: DATABASE_POOL_SIZE ")
    assert "; PORT " in str(refused.value)


def test_the_values_around_the_limits_are_taken():
    taken = settings(
        database_pool_size=100,
        flood_limit="100 per hour",
        telegram_rate=10,
        telegram_broadcast_rate=9.5,
        telegram_webhook_url="https://bot.example/telegram",
        telegram_webhook_secret="s3cret-Token_1",
    )
    assert (taken.database_pool_size, taken.flood_limit, taken.telegram_broadcast_rate) == (100, "100 per hour", 9.5)


def test_the_instance_is_named_after_the_host_and_process_unless_set():
    assert settings(instance_name="web-1").instance == "web-1"
    host, pid = settings().instance.rsplit(":", 1)
    assert host and pid.isdecimal()


def test_every_setting_is_described_in_the_table():
    assert set(DESCRIPTIONS) == set(Settings.model_fields)
    table = settings_table()
    assert "| `DATABASE_POOL_SIZE` | `10` |" in table
    assert len(table.splitlines()) == 2 + len(Settings.model_fields)
