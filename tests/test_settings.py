import pytest

from bot.settings import Settings


def test_defaults_env_file_and_overrides(tmp_path):
    assert Settings.load(env={}).draft_ttl_minutes == 30.0
    cfg = tmp_path / "jiefen.toml"
    cfg.write_text('[jiefen]\ndraft_ttl_minutes = 10\nport = 9000\nwechat_token = "from-file"\n')
    s = Settings.load(env={"JIEFEN_PORT": "9100", "JIEFEN_CONFIG": str(cfg)})
    assert (s.draft_ttl_minutes, s.port, s.wechat_token) == (10.0, 9100, "from-file")
    assert Settings.load(env={"JIEFEN_PORT": "9100"}, port=9200).port == 9200


def test_bad_values_are_refused_by_name():
    with pytest.raises(ValueError, match="port"):
        Settings.load(env={"JIEFEN_PORT": "eighty"})
    with pytest.raises(ValueError, match="unknown settings: colour"):
        Settings.load(env={}, colour="red")


def test_every_setting_is_in_the_readme():
    from dataclasses import fields
    from pathlib import Path
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(Settings) if f"JIEFEN_{f.name.upper()}" not in readme]
    assert not missing, f"settings missing from README: {missing}"
