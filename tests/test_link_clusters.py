"""In-document clusters: surnames, short forms and acronyms join the fuller name."""

from kb.link.clusters import Cluster, build_clusters, repeat_forms, short_forms, surname
from kb.records import Mention
from kb.settings import Settings


def cluster_names(mentions):
    """The surfaces of each cluster built from ``mentions``, sorted: what the tests compare."""
    return sorted(sorted(m.text for m in c.mentions) for c in build_clusters(mentions, Settings()))


def test_clusters_join_surname_and_acronym():
    institute = "Kestrel Harbour Institute for Maritime Studies"
    mentions = [
        Mention(0, 46, institute, "ORG"),
        Mention(53, 58, "KHIMS", "ORG"),
        Mention(65, 79, "Michael McFaul", "PERSON"),
        Mention(81, 87, "McFaul", "ORG"),
        Mention(95, 98, "IMF", "ORG"),
    ]
    names = cluster_names(mentions)
    assert names == [["IMF"], ["KHIMS", institute], ["McFaul", "Michael McFaul"]]


def test_organisation_short_forms_join_but_not_their_complements():
    mentions = [
        Mention(0, 13, "Leeds Falcons", "ORG"),
        Mention(20, 27, "Falcons", "ORG"),
        Mention(30, 53, "Armed Forces of Ukraine", "ORG"),
        Mention(60, 67, "Ukraine", "GPE"),
    ]
    names = cluster_names(mentions)
    assert names == [["Armed Forces of Ukraine"], ["Falcons", "Leeds Falcons"], ["Ukraine"]]


def test_the_head_of_an_organisation_named_head_of_something_joins_it():
    mentions = [
        Mention(0, 19, "Council of Quillers", "ORG"),
        Mention(30, 37, "Council", "ORG"),
        Mention(40, 57, "Ministry of Tides", "ORG"),
        Mention(60, 80, "Ministry of Lanterns", "ORG"),
        Mention(90, 98, "Ministry", "ORG"),
        Mention(100, 105, "Tides", "GPE"),
    ]
    names = cluster_names(mentions)
    # of two ministries, the one written last before it
    assert names == [
        ["Council", "Council of Quillers"], ["Ministry", "Ministry of Lanterns"], ["Ministry of Tides"], ["Tides"],
    ]


def test_a_short_form_of_several_names_joins_the_nearest_written_before_it_or_none():
    mentions = [
        Mention(0, 7, "Council", "ORG"),  # written before every longer name it could shorten
        Mention(10, 29, "Council of Quillers", "ORG"),
        Mention(40, 59, "Council of Wardens", "ORG"),
        Mention(70, 84, "Harbor Council", "ORG"),
    ]
    names = cluster_names(mentions)
    # "Council" is first written before all three: the last word of "Harbor Council" (the rule
    # without a head) takes it
    assert names == [["Council", "Harbor Council"], ["Council of Quillers"], ["Council of Wardens"]]
    later = [Mention(0, 19, "Council of Quillers", "ORG"), Mention(30, 44, "Harbor Council", "ORG"),
             Mention(50, 69, "Council of Wardens", "ORG"), Mention(80, 87, "Council", "ORG")]
    names = cluster_names(later)
    assert names == [["Council", "Council of Wardens"], ["Council of Quillers"], ["Harbor Council"]]


def test_a_first_name_joins_a_person_but_not_an_organisation():
    mentions = [
        Mention(0, 12, "Marta Ilves", "PERSON"),
        Mention(20, 25, "Marta", "PERSON"),
        Mention(30, 44, "Tallinn Harbour", "ORG"),
        Mention(50, 57, "Tallinn", "GPE"),
    ]
    names = cluster_names(mentions)
    assert names == [["Marta", "Marta Ilves"], ["Tallinn"], ["Tallinn Harbour"]]


def test_acronym_length_is_a_setting():
    long_name = "Northern Coastal Fisheries Union Research Institute Board"
    mentions = [Mention(0, len(long_name), long_name, "ORG"), Mention(70, 77, "NCFURIB", "ORG")]
    joined = build_clusters(mentions, Settings(acronym_max_length=7))
    apart = build_clusters(mentions, Settings())  # seven letters are more than the default six
    assert len(joined) == 1 and len(apart) == 2


def test_lowercase_words_never_join_as_short_forms():
    mentions = [Mention(0, 13, "Detroit Lions", "ORG"), Mention(20, 25, "lions", "ORG")]
    assert len(build_clusters(mentions, Settings())) == 2


def test_the_ruler_label_wins_and_a_person_stays_a_person():
    mentions = [
        Mention(0, 10, "Ada Varga", "PERSON"),
        Mention(15, 20, "Varga", "GPE"),
        Mention(25, 30, "Varga", "GPE"),
        Mention(40, 50, "Stormblade", "PRODUCT"),
        Mention(60, 70, "Stormblade", "WEAPON", source="ruler"),
    ]
    labels = {c.name: c.label for c in build_clusters(mentions, Settings())}
    assert labels == {"Ada Varga": "PERSON", "Stormblade": "WEAPON"}


def cluster(name, label, *others):
    return Cluster([Mention(0, len(name), name, label)] + [Mention(0, len(o), o, label) for o in others], name, label)


def test_short_forms_are_surnames_and_specific_organisation_heads():
    assert short_forms(cluster("Ada Varga", "PERSON")) == {"Varga"}
    assert short_forms(cluster("Orlando Magic", "ORG")) == {"Magic"}
    assert short_forms(cluster("Baltic Shipping Company", "ORG")) == set()  # a generic head
    assert short_forms(cluster("Bank of Estonia", "ORG")) == set()  # a phrase, not a name
    assert short_forms(cluster("Tallinn", "GPE")) == set()


def test_repeat_forms_are_longest_first_and_long_enough():
    forms = repeat_forms(cluster("Ada Varga", "PERSON", "AV"), Settings())
    assert forms == ["Ada Varga", "Varga"]  # "AV" is shorter than repeat_min_length
    assert "AV" in repeat_forms(cluster("Ada Varga", "PERSON", "AV"), Settings(repeat_min_length=2))


def test_surnames_keep_particles_and_drop_suffixes():
    assert surname("Ada Varga") == {"Varga"}
    assert surname("Ada Varga Jr.") == {"Varga"}  # "Jr." is no name to look for
    assert surname("Ada Varga III") == {"Varga"}
    assert surname("Carla van der Berg") == {"van der Berg"}
    assert surname("Ada Li") == set()  # too short to stand alone
    assert short_forms(cluster("Tomas Ekberg Sr.", "PERSON")) == {"Ekberg"}
