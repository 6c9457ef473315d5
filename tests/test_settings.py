import pytest

from kb.settings import Settings, load_settings


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


def test_linking_signature_changes_with_what_changes_links():
    base = Settings()
    assert base.linking_signature() == Settings().linking_signature()
    assert base.linking_signature() != base.with_overrides(nil_threshold=0.9).linking_signature()
    assert base.linking_signature() != base.with_overrides(weights={"prior": 5.0}).linking_signature()
    assert base.linking_signature() == base.with_overrides(batch_size=8).linking_signature()
