"""Tagger noise among Organizations and Places (coalition_kg/noise.py), on the real seeds build."""

from rdflib import Literal
from rdflib.namespace import RDF, RDFS

from coalition_kg.noise import clean_label, noise_reason
from coalition_kg.rdf import CKG, union_graph


def test_time_words_ordinary_words_and_fragments_are_noise_names_are_not():
    assert noise_reason("اليوم", "Organization") == "time word or ordinary noun"
    assert noise_reason("فلول", "Organization")
    assert noise_reason("والجبال", "Place") == "time word or ordinary noun"
    assert noise_reason("الأكراد", "Organization") == "ordinary word"
    assert noise_reason("بش", "Place") == "fragment of two letters"
    for name in ("الأمم المتحدة", "رويترز", "كونا", "واس", "DW", "سيناء", "الأنبار", "بعبدا", "العزم الصلب",
                 "للتحالف العالمي", "سيول"):
        assert noise_reason(name, "Organization") is None, name


def test_labels_lose_the_proclitic_the_article_wrote():
    assert clean_label("للتحالف العالمي") == "التحالف العالمي"
    assert clean_label("والشرق الأوسط") == "الشرق الأوسط"
    assert clean_label("بالمنامة") == "المنامة"
    assert clean_label("لـDW") == "DW"
    assert clean_label("وصلاح الدين") == "وصلاح الدين"        # و before a name without ال: left alone


def test_the_seeds_graph_has_no_noise_organizations_or_places(seeds_build):
    g = union_graph(seeds_build.dataset)
    labels = {str(o) for cls in (CKG.Organization, CKG.Place) for s in g.subjects(RDF.type, cls)
              for o in g.objects(s, RDFS.label) if isinstance(o, Literal) and o.language == "ar"}
    assert "اليوم" not in labels and "فلول" not in labels and "للتحالف العالمي" not in labels
    assert "التحالف العالمي" in labels
    assert {"الأمم المتحدة", "الاتحاد الأوروبي", "الشرق الأوسط", "سيناء"} <= labels
