"""Entities shared by the link tests: two senses of one name, and a place, a state and a person
that share "Washington". Fake QIDs only."""

from kb.records import Claim, Entity

MISSILE = Entity(
    id="Q999000010", qid="Q999000010", label="Storm Shadow", type="WEAPON", origin="wikidata",
    description="Anglo-French air-launched cruise missile", popularity=40,
)
CHARACTER = Entity(
    id="Q999000011", qid="Q999000011", label="Storm Shadow", type="PERSON", origin="wikidata",
    description="fictional ninja character in a comic book and toy line", popularity=45,
)
CITY = Entity(
    id="Q999000020", qid="Q999000020", label="Washington, D.C.", aliases=("Washington",), type="GPE",
    origin="wikidata", description="capital city of the United States", popularity=50,
    claims=(Claim("P17", "Q999000030"),),
)
STATE = Entity(
    id="Q999000021", qid="Q999000021", label="Washington", type="GPE", origin="wikidata",
    description="state in the Pacific Northwest of the United States", popularity=50,
)
PERSON = Entity(
    id="Q999000022", qid="Q999000022", label="George Washington", aliases=("Washington",), type="PERSON",
    origin="wikidata", description="first president of the United States", popularity=50,
)
COUNTRY = Entity(id="Q999000030", qid="Q999000030", label="Examplestan", type="GPE", origin="wikidata")
