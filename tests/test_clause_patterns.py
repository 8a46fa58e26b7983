"""The clause steps of the meeting reader, one pattern class each, on sentences written for these
tests (none copied from a seed or a development article), through the real NER model: place and
host from the subject, the list of chairs, whose meeting, town behind a locative, dateline forms,
and per-article evaluation."""

from pathlib import Path

from coalition_kg import gazetteer
from coalition_kg.pipeline import process_article
from coalition_kg.reader import Article


def read(recognizer, text: str, aid: str = "t"):
    return process_article(Article(aid, Path(f"{aid}.txt"), text, "0" * 64), recognizer)


def city_id(name_ar: str) -> str:
    return f"city:{gazetteer.load().city(gazetteer.key(name_ar)).code}"


def host_countries(res) -> set[str]:
    return {c for m in res.meetings for c in m.host_countries}


def host_names(res) -> set[str]:
    by_node = {m.node: m.text for m in res.person_mentions}
    return {by_node[h] for m in res.meetings for h in m.hosts}


def host_governments(res) -> set[str]:
    """Governments named as hosts and those the host persons' roles name (as the evaluation counts them)."""
    return host_countries(res) | {c for m in res.meetings for h in m.hosts for _, c in res.person_roles.get(h, ()) if c}


def cities(res) -> set[str]:
    return {m.city.node for m in res.meetings if m.city is not None}


# --- place and host from the subject -------------------------------------------------------------

def test_city_as_subject_with_an_adverbial_before_the_object(recognizer):
    res = read(recognizer, "تستضيف هلسنكي، يوم الخميس المقبل، اجتماعا لمجموعة عمل الاتصالات التابعة للتحالف "
                           "الدولي ضد داعش بمشاركة خبراء من ثلاثين دولة.")
    assert cities(res) == {city_id("هلسنكي")}
    assert host_countries(res) == {"FI"}


def test_city_before_the_verb_with_sawfa(recognizer):
    res = read(recognizer, "وأوضح المتحدث أن براغ سوف تستضيف، في الأسبوع الأول من آذار المقبل، اجتماعا "
                           "للمديرين السياسيين في التحالف الدولي.")
    assert cities(res) == {city_id("براغ")}
    assert host_countries(res) == {"CZ"}


def test_relative_clause_after_the_meeting_word(recognizer):
    res = read(recognizer, "شارك وفد السنغال في اجتماع مجموعة عمل الاستقرار التابعة للتحالف الدولي، الذي "
                           "احتضنته أكرا أمس، بحضور ممثلين عن عشرين دولة.")
    assert cities(res) == {city_id("أكرا")}
    assert host_countries(res) == {"GH"}


def test_a_relative_clause_on_another_noun_places_no_meeting(recognizer):
    res = read(recognizer, "وناقش المشاركون في الاجتماع تداعيات الزلزال المدمر الذي شهدته زغرب في الربيع "
                           "الماضي على خطط الاستقرار.")
    assert city_id("زغرب") not in cities(res)


def test_a_ministry_as_the_hosting_subject(recognizer):
    res = read(recognizer, "تستضيف وزارة الخارجية التشيكية، منذ صباح اليوم، اجتماعا لمجموعة عمل المقاتلين "
                           "الإرهابيين الأجانب التابعة للتحالف الدولي.")
    assert host_countries(res) == {"CZ"}


def test_the_speakers_own_country_with_an_adverbial(recognizer):
    res = read(recognizer, "قال وزير الخارجية البولندي ماريك نوفاك إن بلاده ستستضيف في أيار المقبل اجتماعا "
                           "للمديرين السياسيين في التحالف الدولي.")
    assert host_countries(res) == {"PL"}
    assert host_names(res) == set()          # the speaker's country hosts, not the speaker


def test_an_intention_verb_before_a_hosting_masdar(recognizer):
    res = read(recognizer, "وقال وزير الدفاع الفنلندي يوها كاليو للصحفيين: \"حكومتنا تعتزم استضافة اجتماع "
                           "لوزراء دفاع دول التحالف في هلسنكي\".")
    assert host_countries(res) == {"FI"}


# --- the list of chairs ---------------------------------------------------------------------------

def test_joint_chairmanship_of_countries(recognizer):
    res = read(recognizer, "وعقد اجتماع مجموعة عمل الاستقرار في التحالف الدولي في مونتريال تحت رئاسة مشتركة "
                           "لكل من كندا واليابان والبرازيل، وبمشاركة ممثلين عن أربعين دولة.")
    assert host_countries(res) == {"CA", "JP", "BR"}


def test_chairs_named_by_a_plural_title_and_nisbas(recognizer):
    res = read(recognizer, "ويعقد اجتماع مجموعة عمل الاتصالات التابعة للتحالف الدولي في ريغا تحت رئاسة "
                           "مشتركة للمبعوثين الكندي والياباني.")
    assert host_countries(res) == {"CA", "JP"}


def test_titles_joined_without_names(recognizer):
    res = read(recognizer, "وعقدت مجموعة عمل الاستقرار في التحالف الدولي اجتماعها في تالين تحت رئاسة مساعد "
                           "وزير الخارجية في مملكة الدنمارك والمدير العام للشؤون السياسية في وزارة الخارجية "
                           "الفنلندية، وبمشاركة ممثلين عن ثلاثين دولة.")
    assert host_countries(res) == {"DK", "FI"}


def test_co_chair_after_an_adverbial_and_ila_janib(recognizer):
    res = read(recognizer, "ترأس وزير الخارجية الكندي روبرت ماكلين أمس الثلاثاء، إلى جانب وزيرة الخارجية "
                           "اليابانية هيروكو تاناكا، الاجتماع الوزاري للتحالف الدولي في مونتريال.")
    assert host_names(res) == {"روبرت ماكلين", "هيروكو تاناكا"}


def test_turns_at_chairing_the_sessions(recognizer):
    res = read(recognizer, "احتضنت ريغا اليوم اجتماعا إقليميا للتحالف الدولي ضد داعش، وتناوب على رئاسة "
                           "جلسات الاجتماع كل من وزير الخارجية اللاتفي يانيس بيرزينش ووزيرة الخارجية "
                           "الإستونية كادري ساروس.")
    assert host_names(res) == {"يانيس بيرزينش", "كادري ساروس"}


def test_heading_a_delegation_is_no_chair(recognizer):
    res = read(recognizer, "استضافت براغ اليوم اجتماعا للتحالف الدولي ضد داعش. وترأس وزير الداخلية "
                           "الكندي روبرت ماكلين وفد بلاده إلى الاجتماع.")
    assert "روبرت ماكلين" not in host_names(res)
    assert host_countries(res) == {"CZ"}


def test_chairing_a_standing_group_is_not_chairing_the_meeting(recognizer):
    res = read(recognizer, "احتضنت أكرا اليوم اجتماع مجموعة التركيز الإفريقية للتحالف الدولي. ويترأس هذه "
                           "المجموعة بالتناوب كل من كندا واليابان.")
    assert host_countries(res) == {"GH"}


# --- whose meeting --------------------------------------------------------------------------------

def test_another_bodys_session_is_no_coalition_meeting(recognizer):
    res = read(recognizer, "وكان الوزيران قد التقيا على هامش اجتماع مجلس جامعة الدول العربية في القاهرة، "
                           "كما ترأس الرئيس في قصره اجتماعا للمجلس الأعلى للدفاع.")
    assert cities(res) == set()
    assert host_names(res) == set()


def test_the_coalitions_own_council_stays_a_meeting(recognizer):
    res = read(recognizer, "استضافت براغ أمس الاجتماع الوزاري للتحالف الدولي ضد داعش.")
    assert cities(res) == {city_id("براغ")}


# --- towns behind a locative, datelines -----------------------------------------------------------

def test_a_definite_article_the_name_lacks_is_no_city():
    gz = gazetteer.load()
    assert "باريس" not in gz.city_readings(["الباريس"])     # a surname, not Paris
    assert "رياض" not in gz.city_readings(["الرياض"]) or gz.city(gazetteer.key("الرياض")) is not None
    assert gazetteer.key("باريس") in gz.city_readings(["بباريس"])    # a preposition is stripped


def test_dateline_with_fi_and_a_day_number(recognizer):
    res = read(recognizer, "كيغالي في ٤ يونيو / وكالات / ترأس وزير الخارجية الرواندي جان موغابو اليوم اجتماعا "
                           "لمجموعة التركيز الإفريقية التابعة للتحالف الدولي.")
    assert cities(res) == {city_id("كيغالي")}
    (mm,) = res.meetings
    assert mm.slot_cues[("city", mm.city.node)] == "dateline"


def test_dateline_is_no_place_for_a_meeting_another_government_hosts(recognizer):
    res = read(recognizer, "كيغالي - وكالات - استضافت الحكومة الكندية أمس اجتماعا لمجموعة عمل الاتصالات "
                           "التابعة للتحالف الدولي.")
    assert host_countries(res) == {"CA"}
    assert cities(res) == set()


def test_nisba_of_a_name_in_alif_takes_waw():
    gz = gazetteer.load()
    assert gz.nisba(gazetteer.key("النمساوية")).code == "AT"
    assert gz.nisba(gazetteer.key("الكندي")).code == "CA"


# --- measuring one article at a time ----------------------------------------------------------------

def test_per_article_scores_each_article_alone(recognizer, tmp_path):
    import json
    from coalition_kg.evaluation import evaluate_per_article
    a = read(recognizer, "استضافت براغ أمس اجتماعا للتحالف الدولي ضد داعش.", "a1")
    b = read(recognizer, "استضافت هلسنكي أمس اجتماعا للتحالف الدولي ضد داعش.", "b1")
    gold = {"a1": {"meetings": [{"city": "Prague", "host_countries": ["CZ"], "hosts": []}], "persons": []},
            "b1": {"meetings": [{"city": "Helsinki", "host_countries": ["DE"], "hosts": []}], "persons": []}}
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    rep = evaluate_per_article([a, b], path, {"first": ("a",)})
    assert rep["all"]["articles"] == 2 and rep["first"]["articles"] == 1
    assert rep["all"]["whw_cities"]["tp"] == 2
    assert rep["all"]["whw_host_countries"] == {"p": 0.5, "r": 0.5, "f1": 0.5, "tp": 1, "fp": 1, "fn": 1}
    assert rep["first"]["whw_host_countries"]["f1"] == 1.0
    assert rep["first"]["all_right"] == 1 and rep["all"]["all_right"] == 1


# --- who does not host ----------------------------------------------------------------------------

def test_a_delegation_head_with_a_long_title_is_no_host(recognizer):
    res = read(recognizer, "ترأس معالي الشيخ راشد بن خليفة بن حمد آل نهيان وزير الدولة، صباح اليوم، وفد "
                           "بلاده المشارك في الاجتماع الوزاري للتحالف الدولي المنعقد في ريغا، الذي استضافته "
                           "جمهورية لاتفيا.")
    assert host_names(res) == set()
    assert host_countries(res) == {"LV"}


def test_meeting_the_prime_minister_is_no_convening(recognizer):
    res = read(recognizer, "ومن المقرر أن يلتقي وزير الخارجية الكندي روبرت ماكلين خلال زيارته رئيس الوزراء "
                           "الليتواني أندريوس كوبيليوس في فيلنيوس.")
    assert host_names(res) == set()


def test_a_meeting_that_brought_two_ministers_together_has_no_host(recognizer):
    res = read(recognizer, "أعلنت كندا تقديم مساعدات جديدة خلال لقاء جمع وزير الخارجية الكندي روبرت ماكلين "
                           "ونظيره الغاني كوامي أسانتي في أكرا.")
    assert host_names(res) == set()


def test_a_title_ending_in_a_word_with_a_clitic_is_no_name(recognizer):
    res = read(recognizer, "وتعقد مجموعة التركيز الإفريقية للتحالف الدولي اجتماعها في أكرا بدعوة من وزير الشؤون "
                           "الخارجية والتكامل الإقليمي والغانيين بالخارج كوفي مينسا.")
    assert host_names(res) == {"كوفي مينسا"}


def test_a_chairs_name_in_apposition_after_the_title(recognizer):
    res = read(recognizer, "احتضنت ريغا اليوم اجتماع مجموعة عمل الاتصالات للتحالف الدولي، وترأست الجلسة "
                           "الافتتاحية نائبة وزير الخارجية الكندي، ماري لوبلان، إلى جانب "
                           "ممثلين عن الجانب الياباني.")
    assert "ماري لوبلان" in host_names(res)
    assert {"CA", "JP", "LV"} <= host_governments(res)


def test_a_chairs_nisba_names_a_host_government(recognizer):
    res = read(recognizer, "ترأس قائد القوات البرية اللواء الكندي جيمس ستيوارت أمس اجتماعا تنسيقيا للتحالف "
                           "الدولي في ريغا.")
    assert host_names(res) == {"جيمس ستيوارت"}
    assert "CA" in host_governments(res)


def test_hosting_a_headquarters_or_a_forum_is_no_meeting(recognizer):
    res = read(recognizer, "وتحتضن أكرا مقر المركز الإقليمي لمكافحة الإرهاب، كما تستضيف هلسنكي منتدى سنويا "
                           "للاستثمار.")
    assert res.meetings == []


def test_a_chairing_verb_without_a_meeting_word_refers_to_the_meeting(recognizer):
    res = read(recognizer, "استضافت براغ أمس اجتماعا لمجموعة عمل الاتصالات في التحالف الدولي. وترأس الجلسة "
                           "الافتتاحية وزير الخارجية التشيكي يان ليبافسكي.")
    assert host_names(res) == {"يان ليبافسكي"}
    assert cities(res) == {city_id("براغ")}


def test_the_topic_after_a_verb_of_focus_is_no_place(recognizer):
    res = read(recognizer, "وأضاف أن الاجتماع المرتقب سيركز على إعادة تأهيل المدارس في مدينة بلغراد.")
    assert city_id("بلغراد") not in cities(res)


def test_a_country_name_followed_by_al_asima_is_its_capital(recognizer):
    res = read(recognizer, "وتعقد جلسات الاجتماع الوزاري للتحالف الدولي في قصر الضيافة بجيبوتي العاصمة.")
    assert cities(res) == {f"city:{gazetteer.load().capitals['DJ'].code}"}


def test_a_city_state_hosting_names_the_city(recognizer):
    res = read(recognizer, "وشارك وفد كندا في اجتماع مجموعة مكافحة تمويل داعش التابعة للتحالف الدولي، الذي "
                           "استضافته سنغافورة أمس.")
    assert cities(res) == {f"city:{gazetteer.load().capitals['SG'].code}"}
    assert host_countries(res) == {"SG"}


# --- an unqualified title in a national agency's dispatch ----------------------------------------

def test_an_agency_dispatch_gives_its_country_to_an_unqualified_title(recognizer):
    text = ("الكويت - كونا - ترأس وزير الخارجية الشيخ سالم عبدالله الجابر الصباح اليوم الاثنين اجتماعا "
            "لمجموعة عمل التحالف الدولي ضد داعش حضره ممثلو خمس عشرة دولة.")
    res = read(recognizer, text)
    assert host_names(res) and host_governments(res) == {"KW"}
    # the same dispatch credited to no agency: the title names no country
    res = read(recognizer, text.replace("الكويت - كونا - ", ""))
    assert host_names(res) and host_governments(res) == set()


def test_an_agency_dispatch_keeps_another_country_s_qualified_titles(recognizer):
    res = read(recognizer, "عمان (بترا) - ترأس وزير الخارجية الألماني يوهانس كلاينر في برلين أمس اجتماعا "
                           "للتحالف الدولي ضد داعش، وشارك فيه وزير الخارجية أيمن القاسم.")
    assert host_governments(res) == {"DE"}
    roles = {r for rs in res.person_roles.values() for r in rs}
    assert ("foreign_minister", "JO") in roles and ("foreign_minister", "DE") in roles


def test_the_agency_is_read_from_the_credit_or_the_publisher_only():
    from coalition_kg.linking import dateline_agency
    from coalition_kg.text import split_sentences
    assert dateline_agency(split_sentences("الرباط (و م ع) - قال المسؤول")) == "MA"
    assert dateline_agency(split_sentences("أبوظبي في ٣ آذار / وام / أعلن")) == "AE"
    assert dateline_agency(split_sentences("بيروت - الوطنية للإعلام - قال")) == "LB"
    # an agency quoted in the text is no credit of the dispatch
    assert dateline_agency(split_sentences("نقلت وكالة الأنباء القطرية عن وزير الخارجية أنه سيحضر")) is None
    assert dateline_agency(split_sentences("وقال إن بنا دورا في ذلك")) is None
    assert dateline_agency([], "QNA") == "QA" and dateline_agency([], "وكالة الأنباء السعودية") == "SA"
    assert dateline_agency([], "Reuters") is None


# --- the speaker's trip is not a planned meeting's place -----------------------------------------

def test_a_planned_meeting_does_not_take_the_place_the_speaker_arrives_at(recognizer):
    res = read(recognizer, "وقال وزير الخارجية الهولندي إن بلاده ستستضيف في الربيع المقبل اجتماعا لمجموعة عمل "
                           "التحالف الدولي ضد داعش، وذلك في حديث للصحفيين لدى وصوله إلى مقر الأمم المتحدة في "
                           "جنيف في زيارة تستغرق يومين.")
    assert city_id("جنيف") not in cities(res)
    assert host_countries(res) == {"NL"}


def test_a_meeting_held_on_arrival_keeps_its_place(recognizer):
    res = read(recognizer, "ترأس وزير الخارجية الدنماركي أمس اجتماعا لمجموعة عمل التحالف الدولي ضد داعش فور "
                           "وصوله إلى مقر الحلف في بروكسل.")
    assert cities(res) == {city_id("بروكسل")}


# --- whose meeting: a conference of another field ------------------------------------------------

def test_a_conference_named_for_another_field_is_no_coalition_meeting(recognizer):
    res = read(recognizer, "وكان وزير الخارجية الفنلندي قد شارك الشهر الماضي في قمة المناخ التي احتضنتها دبي، "
                           "كما حضر مؤتمر المانحين في أوسلو.")
    assert city_id("دبي") not in cities(res) and host_governments(res) == set()
    res = read(recognizer, "استضافت مدريد منتدى الاستثمار الأوروبي العربي بمشاركة ستين دولة.")
    assert cities(res) == set()


def test_a_coalition_meeting_about_reconstruction_stays(recognizer):
    res = read(recognizer, "استضافت مدريد أمس اجتماعا للتحالف الدولي ضد داعش حول إعادة الإعمار في المناطق "
                           "المحررة.")
    assert cities(res) == {city_id("مدريد")} and host_countries(res) == {"ES"}


def test_a_standing_committee_s_session_is_another_body_s(recognizer):
    res = read(recognizer, "واتفق الوزيران على عقد الاجتماع المقبل للجنة التعاون المشتركة في بغداد مطلع العام "
                           "المقبل.")
    assert cities(res) == set()
    res = read(recognizer, "وتستضيف الرباط الاجتماع المقبل للجنة التوجيهية للتحالف الدولي ضد داعش في أيار المقبل.")
    assert cities(res) == {city_id("الرباط")}


def test_a_noun_starting_with_lam_behind_the_preposition_lam():
    from coalition_kg.gazetteer import clitic_variants
    from coalition_kg.text import normalize
    assert normalize("لجنة") in clitic_variants(normalize("للجنة"))
    assert "لبنان" in clitic_variants("للبنان") and "التحالف" in clitic_variants("للتحالف")
