"""The publisher's country (kb/link/home.py): national namesakes told apart, nothing else moved.

Mentions are written by hand (no spaCy). The small knowledge base is made up here: two
countries under their ISO 3166 names and their armed forces, which share the name "Armed
Forces" and carry country claims (fake QIDs).
"""

import pytest
import sqlite_utils

from kb.kbase import KnowledgeBase
from kb.link import link_document
from kb.link.clusters import Cluster
from kb.link.home import country_code, drop_foreign_namesakes, home_country, national_namesakes
from kb.records import Candidate, Claim, Entity, Mention
from kb.settings import Settings

NORWAY, SWEDEN = "Q999000101", "Q999000102"


@pytest.fixture
def namesakes_kb() -> KnowledgeBase:
    knowledge_base = KnowledgeBase(sqlite_utils.Database(memory=True))
    knowledge_base.add([
        Entity("norway", "Norway", "GPE", qid=NORWAY, description="country in northern Europe", popularity=90),
        Entity("sweden", "Sweden", "GPE", qid=SWEDEN, description="country in northern Europe", popularity=90),
        Entity(
            "norwegian-forces", "Norwegian Armed Forces", "ORG", qid="Q999000103",
            description="military of Norway", aliases=("Armed Forces",), popularity=60,
            claims=(Claim("P17", NORWAY),),
        ),
        Entity(
            "swedish-forces", "Swedish Armed Forces", "ORG", qid="Q999000104",
            description="military of Sweden", aliases=("Armed Forces",), popularity=60,
            claims=(Claim("P17", SWEDEN),),
        ),
        Entity("fjord-institute", "Fjord Institute", "ORG", qid="Q999000105", popularity=20),
    ])
    return knowledge_base


@pytest.mark.parametrize(
    ("publisher", "code"),
    [
        ("http://kremlin.ru/events/president/news/1", "ru"),
        ("president.gov.ua", "ua"),
        ("https://www.bbc.co.uk/news", "gb"),
        ("https://www.defense.gov/News/", "us"),
        ("https://army.mil", "us"),
        ("news.example.no", "no"),
        ("WWW.EXAMPLE.SE", "se"),
        ("https://example.com/a", None),  # generic
        ("https://stream.example.tv/a", None),  # a country code sold as a generic name
        ("https://startup.io", None),
        ("Reuters", None),  # a source that is not a host
        ("http://127.0.0.1:8001/", None),
        ("localhost", None),
        ("kremlin.ru/events//1", "ru"),  # a host and a path, no scheme
        ("https://example.eu/a", None),  # a domain, but no country's
        ("http://[::1", None),  # not a URL: nothing, and no error
        ("[Reuters]", None),
        ("ex\uff03ample.ru", None),
        ("https://пример.рф/", None),  # internationalised country domains are not read (yet)
        ("", None),
        (None, None),
    ],
)
def test_country_code(publisher, code):
    assert country_code(publisher) == code


def test_home_country_is_the_knowledge_bases_country(namesakes_kb):
    assert home_country("https://news.example.no/article/1", namesakes_kb) == {"norway", NORWAY}
    assert home_country("https://news.example.com/article/1", namesakes_kb) == frozenset()
    # a country the knowledge base does not know
    assert home_country("https://news.example.fi/article/1", namesakes_kb) == frozenset()


def test_national_namesakes(namesakes_kb):
    home = frozenset({"norway", NORWAY})
    surfaces = {"Armed Forces", "Fjord Institute", "Swedish Armed Forces", "Nowhere"}
    assert national_namesakes(surfaces, home, namesakes_kb) == {"armed forces"}
    # no namesake of the home country among them: nothing to tell apart
    assert national_namesakes(surfaces, frozenset({"Q999000199"}), namesakes_kb) == frozenset()


TEXT = (
    "The Swedish Armed Forces held drills near the border on Monday. The Armed Forces of our "
    "country answered with exercises, the Fjord Institute said."
)


def _mention(text: str, label: str = "ORG") -> Mention:
    start = TEXT.index(text)
    return Mention(start, start + len(text), text, label)


def _link(knowledge_base, publisher):
    bare = TEXT.index("The Armed") + 4
    mentions = [
        _mention("Swedish Armed Forces"), Mention(bare, bare + 12, "Armed Forces", "ORG"), _mention("Fjord Institute"),
    ]
    result = link_document("d", TEXT, mentions, knowledge_base, Settings(), publisher)
    return {(link.mention.start, link.mention.text): link.entity_id for link in result.links}


def test_a_shared_name_means_the_publishers_countrys(namesakes_kb):
    bare = (TEXT.index("The Armed") + 4, "Armed Forces")
    full = (TEXT.index("Swedish"), "Swedish Armed Forces")
    # without a publisher the bare name is a short form of the full name written before it
    unknown = _link(namesakes_kb, None)
    assert unknown[bare] == unknown[full] == "swedish-forces"
    # a Norwegian publisher's "Armed Forces" are Norway's; the full name keeps its entity
    norwegian = _link(namesakes_kb, "https://news.example.no/a")
    assert norwegian[full] == "swedish-forces"
    assert norwegian[bare] == "norwegian-forces"
    # a Swedish publisher: the same as without one
    assert _link(namesakes_kb, "https://news.example.se/a") == unknown
    # other names are not touched
    assert norwegian[(TEXT.index("Fjord"), "Fjord Institute")] == unknown[(TEXT.index("Fjord"), "Fjord Institute")]


def _candidate(entity_id: str, entity_type: str, alias: str, origin: str = "starter") -> Candidate:
    return Candidate(entity_id, None, entity_id, entity_type, "", 1.0, alias, "exact", origin=origin)


def test_only_curated_institutions_of_another_country_leave():
    countries = {
        "home-forces": {NORWAY}, "foreign-forces": {SWEDEN}, "home-town": {NORWAY}, "foreign-city": {SWEDEN},
        "imported-forces": {SWEDEN},
    }
    clusters = [
        Cluster([], "Armed Forces", "ORG", candidates=[
            _candidate("foreign-forces", "ORG", "Armed Forces"),
            _candidate("home-forces", "ORG", "Armed Forces"),
            _candidate("band", "ORG", "Armed Forces"),  # no country claim: stays
            _candidate("foreign-city", "GPE", "Armed Forces"),  # not an institution: stays
            # imported: its country may be the seat of an international body, so it stays
            _candidate("imported-forces", "ORG", "Armed Forces", origin="wikidata"),
        ]),
        # places are not told apart by the publisher: a paper abroad still means the capital
        Cluster([], "Lund", "GPE", candidates=[
            _candidate("foreign-city", "GPE", "Lund"), _candidate("home-town", "GPE", "Lund"),
        ]),
        # another country's institution by a name no home institution shares: stays
        Cluster([], "Riksdag", "ORG", candidates=[_candidate("foreign-forces", "ORG", "Riksdag")]),
    ]
    drop_foreign_namesakes(clusters, frozenset({NORWAY}), lambda entity_id: countries.get(entity_id, set()))
    assert [[c.entity_id for c in cluster.candidates] for cluster in clusters] == [
        ["home-forces", "band", "foreign-city", "imported-forces"], ["foreign-city", "home-town"], ["foreign-forces"],
    ]


def test_an_entitys_countries_are_its_country_claims(namesakes_kb):
    assert namesakes_kb.countries("norwegian-forces") == {NORWAY}
    assert namesakes_kb.countries("fjord-institute") == set()
