from kb.names import acronym, fold, loose_key, normalise, strip_possessive, variants


def test_normalise_folds_case_dots_punctuation_and_diacritics():
    assert normalise("U.S.") == normalise("US") == "us"
    assert normalise("F-16") == "f 16"
    assert normalise("Erdoğan") == "erdogan"
    assert normalise("  Jens   Stoltenberg ") == "jens stoltenberg"
    assert normalise("Кремль") == "кремль"


def test_latin_letters_without_a_decomposition_are_transliterated():
    assert normalise("Łódź") == normalise("Lodz") == "lodz"
    assert normalise("Søren Ørsted") == "soren orsted"
    assert normalise("Færøer") == "faeroer"
    assert normalise("Straße") == "strasse"
    assert normalise("Novak Đoković") == "novak dokovic"
    assert normalise("Hawaiʻi") == normalise("Gogolʹ Hawaii")[len("gogol "):] == "hawaii"  # modifier apostrophes


def test_other_scripts_lose_only_their_diacritics():
    assert normalise("Ёлка") == "елка"
    assert normalise("北京") == "北京"
    assert normalise("🇧🇪") == ""  # a flag is not a name


def test_fold_keeps_non_latin_letters():
    assert fold("Пєсков") == "пєсков"
    assert fold("Zaporizhzhia") == "zaporizhzhia"


def test_loose_key_joins_transliteration_variants():
    keys = {loose_key(n) for n in ("Zelensky", "Zelenskyy", "Zelenskiy")}
    assert keys == {"zelensky"}
    assert loose_key("Kharkiv") == loose_key("Harkiv")
    assert loose_key("Putin") != loose_key("Peskov")


def test_variants_cover_plural_possessive_and_article():
    assert "storm shadow" in variants("Storm Shadows")
    assert "f 16" in variants("F-16s")
    assert "kremlin" in variants("the Kremlin")
    assert variants("NATO")[0] == "nato"


def test_strip_possessive_handles_both_apostrophes():
    assert strip_possessive("Kyiv’s") == "Kyiv"
    assert strip_possessive("Stoltenberg's") == "Stoltenberg"
    assert strip_possessive("allies'") == "allies"


def test_acronym_skips_function_words():
    assert acronym("Agence France-Presse") == "afp"
    assert acronym("Freeman Spogli Institute for International Studies") == "fsiis"
    assert acronym("NATO") == ""


def test_es_is_dropped_only_from_real_es_plurals():
    assert "gang" not in variants("Ganges")
    assert "church" in variants("churches")


def test_company_suffixes_are_optional():
    assert "general electric" in variants("General Electric Co.")
    assert "target" in variants("Target Corp.")
    assert variants("Corp.") == ["corp"]


def test_company_suffixes_are_added_only_to_a_name_without_one():
    from kb.names import with_company_suffixes

    assert "acme co" in with_company_suffixes("acme") and "acme inc" in with_company_suffixes("acme")
    assert with_company_suffixes("acme corp") == []
    assert with_company_suffixes("") == []
