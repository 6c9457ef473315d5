import re
from dataclasses import fields
from pathlib import Path

import pytest

from kb.settings import OPERATIONAL, Settings, load_settings


def test_toml_file_overrides_defaults_and_options_override_the_file(tmp_path):
    path = tmp_path / "kb.toml"
    path.write_text('nil_threshold = 0.6\nlinked_labels = ["PERSON"]\n[weights]\ncontext = 3.0\n')
    settings = load_settings(path, model="en_core_web_trf", nil_threshold=None)
    assert settings.nil_threshold == 0.6
    assert settings.linked_labels == ("PERSON",)
    assert settings.weights["context"] == 3.0 and settings.weights["name"] == Settings().weights["name"]
    assert settings.model == "en_core_web_trf"


@pytest.mark.parametrize(
    "content, message", [("nil_treshold = 0.6\n", "unknown settings: nil_treshold"), ("x = [\n", "cannot read")]
)
def test_bad_settings_files_are_named(tmp_path, content, message):
    path = tmp_path / "kb.toml"
    path.write_text(content)
    with pytest.raises(ValueError, match=f"kb.toml: {message}"):
        load_settings(path)


def test_linking_code_is_a_digest_of_the_code_and_data_that_link():
    from kb import settings as settings_module

    assert settings_module.linking_code() in Settings().linking_signature()
    for part in settings_module.LINKING_SOURCES:
        assert (Path(settings_module.__file__).parent / part).exists(), part


def test_linking_signature_changes_with_what_changes_links():
    base = Settings()
    assert base.linking_signature() == Settings().linking_signature()
    assert base.linking_signature() != base.with_overrides(nil_threshold=0.9).linking_signature()
    assert base.linking_signature() != base.with_overrides(weights={"prior": 5.0}).linking_signature()
    assert base.linking_signature() == base.with_overrides(batch_size=8).linking_signature()


BAD_VALUES = [
    ("nil_threshold", '"high"', "a number from 0 to 1"),
    ("nil_threshold", "nan", "a number from 0 to 1"),
    ("nil_threshold", "1.5", "a number from 0 to 1"),
    ("min_margin", "-0.1", "a number from 0 to 1"),
    ("processes", '"two"', "a whole number of at least 1"),
    ("batch_size", "0", "a whole number of at least 1"),
    ("max_candidates", "2.5", "a whole number of at least 1"),
    ("fuzzy_threshold", "101", "a number from 0 to 100"),
    ("timeout", "0", "a number above 0"),
    ("timeout", "inf", "a number above 0"),
    ("retries", "true", "a whole number of at least 0"),
    ("linker", '"bogus"', "one of 'full', 'weighted', 'prior'"),
    ("min_confidence", "1.2", "a number from 0 to 1"),
    ("online_fetch", '"carrier-pigeon"', "one of 'api', 'sparql'"),
    ("online", '"yes"', "true or false"),
    ("linked_labels", '"PERSON"', "a list of non-empty strings"),
    ("languages", "[]", "a list of at least one non-empty strings"),
    ("api_endpoint", '"ftp://example.org"', "a URL starting with http:// or https://"),
    ("sentence_limit", "0", "a whole number of at least 1"),
]


@pytest.mark.parametrize("key, toml_value, allowed", BAD_VALUES, ids=[f"{k}={v}" for k, v, _ in BAD_VALUES])
def test_bad_values_name_the_key_the_value_and_what_is_allowed(tmp_path, key, toml_value, allowed):
    path = tmp_path / "bad.toml"
    path.write_text(f"{key} = {toml_value}\n")
    with pytest.raises(ValueError) as error:
        load_settings(path)
    message = str(error.value)
    assert message.startswith(f"{path}: setting {key} = ")
    assert message.endswith(f"expected {allowed}")


@pytest.mark.parametrize(
    "weights, message",
    [
        ("prior = -1.0", "setting weights.prior = -1.0: expected a number of at least 0"),
        ("prior = nan", "setting weights.prior = nan: expected a number of at least 0"),
        ('name = "2"', "setting weights.name = '2': expected a number of at least 0"),
        ("priorr = 1.0", "setting weights.priorr = 1.0: expected a weight for one of prior, name"),
    ],
)
def test_bad_weights_are_named_one_by_one(tmp_path, weights, message):
    path = tmp_path / "bad.toml"
    path.write_text(f"[weights]\n{weights}\n")
    with pytest.raises(ValueError, match=re.escape(message)):
        load_settings(path)


def test_all_weights_zero_is_refused():
    zero = {name: 0.0 for name in Settings().weights}
    with pytest.raises(ValueError, match="setting weights = .*: expected at least one weight above 0"):
        Settings(weights=zero)


def test_values_are_checked_when_made_directly_and_when_overridden():
    with pytest.raises(ValueError, match="setting nil_threshold = -0.2: expected a number from 0 to 1"):
        Settings(nil_threshold=-0.2)
    with pytest.raises(ValueError, match="setting processes = 0: expected a whole number of at least 1"):
        Settings().with_overrides(processes=0)
    with pytest.raises(ValueError, match="setting model = '': expected a non-empty string"):
        load_settings(model="")


def test_whole_numbers_are_numbers_and_lists_become_tuples():
    settings = Settings(nil_threshold=1, linked_labels=["PERSON"], weights={"prior": 2})
    assert settings.nil_threshold == 1.0 and isinstance(settings.nil_threshold, float)
    assert settings.linked_labels == ("PERSON",)
    assert settings.weights["prior"] == 2.0


def test_every_setting_has_a_rule():
    from kb.settings import _RULES

    assert set(_RULES) == {f.name for f in fields(Settings)}


def test_every_setting_but_the_operational_ones_is_in_the_signature():
    base = Settings()
    changed = {
        "model": "xx_other_model", "components": "full", "linked_labels": ("PERSON",), "soft_labels": (), "nil_threshold": 0.5,
        "min_margin": 0.1, "linker": "prior", "fuzzy_threshold": 90.0, "fuzzy_min_length": 4,
        "fuzzy_prefix": 2, "fuzzy_rows": 100, "max_candidates": 5, "weights": {"type": 1.0},
        "variant_match": 0.5, "alias_penalty": 0.2, "fuzzy_discount": 0.2, "confusable_fit": 0.1,
        "fallback_min_length": 3, "repeat_labels": ("PERSON",), "repeat_min_length": 4, "acronym_max_length": 5, "sentence_limit": 200,
        "ruler_imported": 10, "max_chunk_chars": 2000, "weapon_context": False, "min_confidence": 0.9, "link_demonyms": True,
    }
    assert set(changed) | OPERATIONAL == {f.name for f in fields(Settings)}
    for key, value in changed.items():
        assert base.with_overrides(**{key: value}).linking_signature() != base.linking_signature(), key
    assert base.with_overrides(processes=2, online=True).linking_signature() == base.linking_signature()


@pytest.mark.parametrize("key, toml_value, allowed", BAD_VALUES[:12], ids=[f"{k}={v}" for k, v, _ in BAD_VALUES[:12]])
def test_the_cli_reports_a_bad_value_in_one_line(tmp_path, key, toml_value, allowed):
    from click.testing import CliRunner

    from kb.cli import cli

    config = tmp_path / "bad.toml"
    config.write_text(f"{key} = {toml_value}\n")
    result = CliRunner().invoke(cli, ["build", str(tmp_path), "--db", str(tmp_path / "kb.db"), "--config", str(config)])
    assert result.exit_code == 1
    assert f"Error: {config}: setting {key} = " in result.output
    assert f"expected {allowed}" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "kb.db").exists()
