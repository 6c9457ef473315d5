"""link_document without spaCy: mentions are written by hand, the knowledge base is a fixture."""

from kb.link import link_document, nil_id
from kb.records import Mention
from kb.settings import Settings

TEXT = (
    "NATO Secretary-General Jens Stoltenberg spoke to The Times. Stoltenberg said Kyiv may "
    "use ATACMS and Storm Shadows. Kremlin spokesman Dmitry Peskov disagreed; Peskov called it "
    "dangerous. Olaf Kowalczyk of the Example Institute also spoke."
)


def mention(text: str, label: str, nth: int = 0, source: str = "ner") -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(text, start + 1)
    return Mention(start, start + len(text), text, label, source=source)


MENTIONS = [
    mention("NATO", "ORG"),
    mention("Jens Stoltenberg", "PERSON"),
    mention("The Times", "ORG", source="ruler"),
    mention("Stoltenberg", "GPE", nth=1),  # NER got the type wrong
    mention("Kyiv", "GPE"),
    mention("ATACMS", "WEAPON", source="ruler"),
    mention("Storm Shadows", "WEAPON", source="ruler"),
    mention("Kremlin", "ORG"),
    mention("Dmitry Peskov", "PERSON"),
    mention("Peskov", "ORG", nth=1),
    mention("Olaf Kowalczyk", "PERSON"),
    mention("Example Institute", "ORG"),
]


def by_text(result, text):
    return [link for link in result.links if link.mention.text == text]


def test_full_and_surname_mentions_link_to_the_same_entity_as_person(mini_kb):
    result = link_document("d1", TEXT, MENTIONS, mini_kb, Settings())
    stoltenberg = by_text(result, "Stoltenberg") + by_text(result, "Jens Stoltenberg")
    assert len(stoltenberg) == 2
    assert {link.qid for link in stoltenberg} == {"Q57665"}
    assert {link.type for link in stoltenberg} == {"PERSON"}


def test_known_entities_get_their_verified_qid(mini_kb):
    result = link_document("d1", TEXT, MENTIONS, mini_kb, Settings())
    qids = {link.mention.text: link.qid for link in result.links}
    assert qids["NATO"] == "Q7184"
    assert qids["The Times"] == "Q50008"
    assert qids["Kyiv"] == "Q1899"
    assert qids["Kremlin"] == "Q133274"


def test_entities_without_verified_qid_link_locally_with_null_qid(mini_kb):
    result = link_document("d1", TEXT, MENTIONS, mini_kb, Settings())
    storm = by_text(result, "Storm Shadows")[0]
    assert (storm.entity_id, storm.qid, storm.name) == ("storm-shadow", None, "Storm Shadow")
    peskov = by_text(result, "Peskov")[0]
    assert (peskov.entity_id, peskov.type) == ("dmitry-peskov", "PERSON")


def test_unknown_names_become_unresolved_entities_grouped_by_name(mini_kb):
    result = link_document("d1", TEXT, MENTIONS, mini_kb, Settings())
    unknown = by_text(result, "Olaf Kowalczyk")[0]
    assert unknown.qid is None
    assert unknown.entity_id == nil_id("Olaf Kowalczyk") == "nil:olaf-kowalczyk"
    assert {e.id for e in result.new_entities} == {"nil:olaf-kowalczyk", "nil:example-institute"}
    assert all(e.origin == "unresolved" and e.qid is None for e in result.new_entities)


def test_every_linked_qid_belongs_to_the_linked_entity(mini_kb):
    result = link_document("d1", TEXT, MENTIONS, mini_kb, Settings())
    for link in result.links:
        if link.qid:
            assert mini_kb.get(link.entity_id).qid == link.qid


def test_raising_the_nil_threshold_keeps_everything_unresolved(mini_kb):
    weighted = Settings(linker="weighted", nil_threshold=1.0)  # only a perfect score would link
    assert all(link.qid is None for link in link_document("d1", TEXT, MENTIONS, mini_kb, weighted).links)
    learned = Settings(min_confidence=1.0)  # only certainty would link
    assert all(link.qid is None for link in link_document("d1", TEXT, MENTIONS, mini_kb, learned).links)


def test_a_higher_min_confidence_never_adds_links(mini_kb):
    linked = {link.mention.start for link in link_document("d1", TEXT, MENTIONS, mini_kb, Settings()).links if link.qid}
    stricter = link_document("d1", TEXT, MENTIONS, mini_kb, Settings(min_confidence=0.95)).links
    assert {link.mention.start for link in stricter if link.qid} <= linked
    assert all(link.score >= 0.95 for link in stricter if link.qid)


def test_override_never_link_and_force_entity(mini_kb):
    mini_kb.set_override("Kremlin", None)
    mini_kb.set_override("Example Institute", "reuters", document_id="d1")
    result = link_document("d1", TEXT, MENTIONS, mini_kb, Settings())
    assert not by_text(result, "Kremlin")
    assert any(m.text == "Kremlin" for m in result.unlinked)
    assert by_text(result, "Example Institute")[0].qid == "Q130879"
    other = link_document("d2", TEXT, MENTIONS, mini_kb, Settings())
    assert by_text(other, "Example Institute")[0].qid is None


def test_prior_baseline_links_each_mention_alone(mini_kb):
    result = link_document("d1", TEXT, MENTIONS, mini_kb, Settings(linker="prior"))
    stoltenberg = by_text(result, "Stoltenberg")[0]
    assert stoltenberg.qid == "Q57665"  # the fixture KB lists the surname as an alias
    assert by_text(result, "NATO")[0].qid == "Q7184"


def test_names_the_document_already_uses_are_found_again(mini_kb):
    text = "Jens Stoltenberg arrived. Later Stoltenberg left; Stoltenberg’s aides stayed. Nobody Known met Known."
    mentions = [Mention(0, 16, "Jens Stoltenberg", "PERSON"), Mention(78, 90, "Nobody Known", "PERSON")]
    result = link_document("d", text, mentions, mini_kb, Settings())
    found = [(link.mention.text, link.mention.source, link.qid) for link in result.links]
    assert found.count(("Stoltenberg", "propagated", "Q57665")) == 2
    assert ("Known", "propagated", None) not in found  # only names the knowledge base knows spread


def test_which_names_are_found_again_is_a_setting(mini_kb):
    text = "Jens Stoltenberg arrived. Later Stoltenberg left."
    mentions = [Mention(0, 16, "Jens Stoltenberg", "PERSON")]
    everyone = link_document("d", text, mentions, mini_kb, Settings())
    nobody = link_document("d", text, mentions, mini_kb, Settings(repeat_labels=()))
    assert [link.mention.text for link in everyone.links] == ["Jens Stoltenberg", "Stoltenberg"]
    assert [link.mention.text for link in nobody.links] == ["Jens Stoltenberg"]


def test_soft_labels_link_only_to_known_entities(mini_kb):
    text = "They flew over Nowhere Ridge and NATO headquarters."
    mentions = [Mention(15, 28, "Nowhere Ridge", "LOC"), Mention(33, 37, "NATO", "FAC")]
    result = link_document("d", text, mentions, mini_kb, Settings())
    assert [(link.mention.text, link.qid) for link in result.links] == [("NATO", "Q7184")]
    assert [m.text for m in result.unlinked] == ["Nowhere Ridge"] and result.new_entities == []


def test_a_mention_is_looked_up_by_its_name_and_overridden_by_its_text(mini_kb):
    text = "Strikes hit the Kyiv and Moscow regions. Kyiv itself was calm."
    mentions = [
        Mention(16, 20, "Kyiv", "GPE", name="Kyiv region"),
        Mention(25, 31, "Moscow", "GPE", name="Moscow region"),
        Mention(41, 45, "Kyiv", "GPE"),
    ]
    links = link_document("d1", text, mentions, mini_kb, Settings()).links
    assert [(link.mention.start, link.entity_id) for link in links] == [
        (16, nil_id("Kyiv region")), (25, nil_id("Moscow region")), (41, "kyiv")
    ]
    mini_kb.set_override("Moscow", None, document_id="d1")
    result = link_document("d1", text, mentions, mini_kb, Settings())
    assert [link.mention.start for link in result.links] == [16, 41]
    assert [m.start for m in result.unlinked] == [25]
