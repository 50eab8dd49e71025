"""Settings: every key a declared field, unknown keys an error naming key and file, every documented variable read."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from compiler.config import _ENV, Settings, load_settings
from compiler.errors import ConfigError

README = Path(__file__).parents[2] / "README.md"

# One value per settings variable, and what the setting reads back as.
ENV_CASES = {
    "KC_LLM": ("openai", "openai"),
    "KC_LLM_MODEL": ("stub-model", "stub-model"),
    "KC_LLM_BASE_URL": ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
    "KC_LLM_TIMEOUT": ("7.5", 7.5),
    "KC_LLM_MAX_RETRIES": ("5", 5),
    "KC_MODEL_PATH": ("/models/minilm", "/models/minilm"),
    "KC_CHROMA_URL": ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    "KC_CHROMA_COLLECTION": ("my-collection", "my-collection"),
    "KC_INDEX_DIR": ("/tmp/kc-index", "/tmp/kc-index"),
    "KC_CACHE_DIR": ("/tmp/kc-cache", "/tmp/kc-cache"),
    "KC_TUTOR_BACKEND": ("openai", "openai"),
    "KC_TUTOR_MODEL": ("qwen", "qwen"),
    "KC_TUTOR_BASE_URL": ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
    "KC_LEARNER_DB": ("/tmp/learners.sqlite3", "/tmp/learners.sqlite3"),
}
# Documented variables that are not settings, and the test that shows each is read.
NOT_SETTINGS = {
    "KC_MCP_TOKEN": "tests/mcp/test_transports.py (401 without the bearer token)",
    "KC_UPDATE_GOLDEN": "tests/build/test_golden.py (rewrites the golden corpora)",
    "KC_LEARNER": "compiler/cli/tutor.py (the default learner name)",
    "KC_SERVE_TOKEN": "tests/serve/test_serve_api.py (401 without the token; required beyond loopback)",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("variable", sorted(ENV_CASES))
def test_each_environment_variable_is_read(variable, monkeypatch, tmp_path):
    raw, expected = ENV_CASES[variable]
    field = _ENV[variable]
    assert getattr(load_settings(tmp_path), field) != expected
    monkeypatch.setenv(variable, raw)
    assert getattr(load_settings(tmp_path), field) == expected


def test_every_settings_variable_has_a_case():
    assert set(_ENV) == set(ENV_CASES)


def test_every_variable_the_readme_documents_is_read():
    documented = set(re.findall(r"\bKC_[A-Z_]+[A-Z]\b", README.read_text(encoding="utf-8")))
    assert documented, "README documents no KC_ variable?"
    unread = sorted(documented - set(_ENV) - set(NOT_SETTINGS))
    assert unread == [], f"documented in README.md but read nowhere: {unread}"


def test_environment_beats_the_file_and_overrides_beat_both(tmp_path, monkeypatch):
    (tmp_path / "kc.toml").write_text('llm_model = "from-file"\nmax_concepts = 5\n')
    assert load_settings(tmp_path).llm_model == "from-file"
    monkeypatch.setenv("KC_LLM_MODEL", "from-env")
    assert load_settings(tmp_path).llm_model == "from-env"
    settings = load_settings(tmp_path, llm_model="from-flag")
    assert (settings.llm_model, settings.max_concepts) == ("from-flag", 5)


def test_unknown_key_in_kc_toml_names_key_and_file(tmp_path):
    (tmp_path / "kc.toml").write_text("max_concept = 12\n")
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    assert "'max_concept'" in str(error.value) and str(tmp_path / "kc.toml") in str(error.value)


def test_unknown_key_in_pyproject_names_key_and_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.kc]\nexcludes = ["a/**"]\n')
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    message = str(error.value)
    assert "'excludes'" in message and str(tmp_path / "pyproject.toml") in message and "[tool.kc]" in message


def test_unknown_override_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="'no_such_setting'"):
        load_settings(tmp_path, no_such_setting=1)


def test_wrong_type_names_setting_and_where(tmp_path, monkeypatch):
    (tmp_path / "kc.toml").write_text('max_concepts = "many"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    assert "'max_concepts'" in str(error.value) and "kc.toml" in str(error.value)
    (tmp_path / "kc.toml").unlink()
    monkeypatch.setenv("KC_LLM_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="KC_LLM_TIMEOUT"):
        load_settings(tmp_path)


def test_booleans_and_lists_from_files(tmp_path):
    (tmp_path / "kc.toml").write_text('default_excludes = false\nexclude = ["a/**", "b/**"]\n')
    settings = load_settings(tmp_path)
    assert settings.default_excludes is False and settings.exclude == ("a/**", "b/**")
    (tmp_path / "kc.toml").write_text('default_excludes = "maybe"\n')
    with pytest.raises(ConfigError, match="default_excludes"):
        load_settings(tmp_path)


def test_invalid_toml_names_the_file(tmp_path):
    (tmp_path / "kc.toml").write_text("exclude = [\n")
    with pytest.raises(ConfigError, match="kc.toml: invalid TOML"):
        load_settings(tmp_path)


def test_no_catch_all_field():
    assert "extra" not in {f.name for f in fields(Settings)}
    assert Settings(llm_timeout=5.0).extra == {"llm_timeout": 5.0}  # the read-only view for older readers
    assert Settings().extra == {}


def test_this_repository_settings_load():
    settings = load_settings(README.parent)
    assert "tests/fixtures/**" in settings.exclude
