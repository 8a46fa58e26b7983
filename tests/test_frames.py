"""Meeting frames on articles written for these tests (none copied from a seed or a dev article),
through the real NER model: one test per family of news phrasing the frame reader handles."""

from pathlib import Path

import pytest

from coalition_kg import gazetteer
from coalition_kg.pipeline import process_article, resolve
from coalition_kg.reader import Article


def frames(recognizer, text: str, aid: str = "t"):
    art = Article(aid, Path(f"{aid}.txt"), text, "0" * 64)
    return process_article(art, recognizer)


def city_id(name_ar: str) -> str:
    gz = gazetteer.load()
    return f"city:{gz.city(gazetteer.key(name_ar)).code}"


def only(meetings):
    assert len(meetings) == 1, [(m.cue, m.city and m.city.text) for m in meetings]
    return meetings[0]


def host_names(res, mm):
    by_node = {m.node: m.text for m in res.person_mentions}
    return {by_node[h] for h in mm.hosts}


def test_capital_named_by_a_nisba_is_the_place(recognizer):
    res = frames(recognizer, "انطلقت صباح اليوم في العاصمة الإسبانية أعمال الاجتماع الوزاري لدول التحالف الدولي ضد "
                             "داعش، برئاسة وزير الخارجية الإسباني خوسيه مانويل ألباريس.")
    mm = only(res.meetings)
    assert mm.city.node == city_id("مدريد") and mm.country == "ES"
    assert host_names(res, mm) == {"خوسيه مانويل ألباريس"}


def test_place_far_before_the_trigger_in_its_clause(recognizer):
    res = frames(recognizer, "افتُتح في لشبونة، صباح الأربعاء 3 مارس 2021، المؤتمر الإقليمي لمكافحة الإرهاب برئاسة "
                             "رئيس الوزراء البرتغالي أنطونيو كوستا.")
    mm = only(res.meetings)
    assert mm.city.node == city_id("لشبونة")
    assert mm.slot_cues[("city", mm.city.node)] == "locative before the trigger"
    assert mm.date.iso() == "2021-03-03"


def test_dateline_places_a_meeting_with_no_place_and_says_so(recognizer):
    res = frames(recognizer, "أوسلو - (وكالات) - ترأس وزير الخارجية النرويجي يوناس غار ستوره اليوم اجتماعا لممثلي "
                             "دول التحالف الدولي لبحث تمويل جهود الاستقرار.")
    mm = only(res.meetings)
    assert mm.city.node == city_id("أوسلو")
    assert mm.slot_cues[("city", mm.city.node)] == "dateline"
    assert mm.slot_confidence[("city", mm.city.node)] < 0.7       # weaker than a locative


def test_a_venue_without_a_city_blocks_the_dateline(recognizer):
    res = frames(recognizer, "لندن - ترأس رئيس هيئة الأركان البريطانية الجنرال نيك كارتر اجتماعا لقادة جيوش "
                             "التحالف في قاعدة نورثوود العسكرية.")
    mm = only(res.meetings)
    assert mm.city is None and mm.venue and mm.venue.startswith("قاعدة")
    assert host_names(res, mm) == {"نيك كارتر"}
    # the chief of defence's country is the host government
    assert resolve([res]).meetings[0].host_countries == ["GB"]


def test_a_meeting_by_video_has_no_city_even_with_a_dateline(recognizer):
    res = frames(recognizer, "روما - عقد وزراء خارجية دول التحالف اجتماعا عبر تقنية الاتصال المرئي برئاسة وزير "
                             "الخارجية الإيطالي أنطونيو تاياني.")
    mm = only(res.meetings)
    assert mm.virtual and mm.city is None


def test_convening_officials_makes_the_subject_a_host(recognizer):
    res = frames(recognizer, "جمع وزير الدفاع الكندي هارجيت ساجان يوم الخميس نظراءه من دول التحالف في مدينة "
                             "تورونتو لمراجعة سير العمليات.")
    mm = only(res.meetings)
    assert host_names(res, mm) == {"هارجيت ساجان"}
    assert mm.city.node == city_id("تورونتو")


def test_a_back_reference_in_a_later_sentence_places_the_meeting(recognizer):
    res = frames(recognizer, "استضافت جمهورية البرتغال الثلاثاء اجتماعا لوزراء خارجية دول التحالف ضد داعش.\n"
                             "وقال المشاركون إن التنظيم لا يزال يشكل خطرا.\n"
                             "وجرت المباحثات في فندق كبير بمدينة لشبونة وسط إجراءات أمنية.")
    mm = only(res.meetings)
    assert mm.host_countries == ["PT"]
    assert mm.city.node == city_id("لشبونة")
    assert "back-reference" in mm.slot_cues[("city", mm.city.node)]


def test_a_past_meeting_stays_apart_from_the_reported_one(recognizer):
    res = frames(recognizer, "يلتقي وزراء خارجية دول التحالف اليوم في مدريد بدعوة من وزير الخارجية الإسباني خوسيه "
                             "مانويل ألباريس. وكان عدد من المسؤولين قد عقدوا لقاء تمهيديا في العاصمة البرتغالية أمس.")
    assert len(res.meetings) == 2
    now, before = sorted(res.meetings, key=lambda m: m.sentence)
    assert now.city.node == city_id("مدريد") and now.status == "held" and now.hosts
    assert before.city.node == city_id("لشبونة") and before.status == "past" and not before.hosts


@pytest.mark.parametrize("text", [
    "عقد وزراء دفاع دول التحالف اجتماعا لبحث الأوضاع في مدينة حلب.",
    "وقال الوزير في الاجتماع إن القوات تتقدم في مدينة الموصل.",
])
def test_the_topic_or_a_reported_clause_is_not_the_place(recognizer, text):
    res = frames(recognizer, text)
    assert all(m.city is None for m in res.meetings)
    assert any(m.kind == "City" for m in res.mentions)     # not vacuous: the city is read, just not as the place
    # and after a meeting held somewhere, that meeting keeps its own place
    res = frames(recognizer, "عقد وزراء التحالف اجتماعا في روما. " + text)
    assert [m.city.text for m in res.meetings if m.city] == ["روما"], [(m.cue, m.city) for m in res.meetings]


def test_two_meetings_with_two_hosts_and_two_places_stay_apart(recognizer):
    res = frames(recognizer, "واشنطن - تستضيف الولايات المتحدة هذا الأسبوع اجتماعين للتحالف؛ إذ يستقبل وزير "
                             "الدفاع الأمريكي لويد أوستن نظراءه الأربعاء في قاعدة فورت ماير، فيما يجمع وزير "
                             "الخارجية الأمريكي أنتوني بلينكن وزراء خارجية التحالف الخميس في مدينة نيويورك.")
    by_city = {(m.city.node if m.city else None): host_names(res, m) for m in res.meetings}
    assert by_city.get(city_id("نيويورك")) == {"أنتوني بلينكن"}
    assert by_city.get(None) == {"لويد أوستن"}


def test_an_opener_hosts(recognizer):
    res = frames(recognizer, "بغداد - افتتح رئيس الوزراء العراقي مصطفى الكاظمي، صباح اليوم الأحد، أعمال المؤتمر "
                             "الدولي لدعم الاستقرار في المناطق المحررة، بمشاركة ممثلين عن أربعين دولة.")
    mm = only(res.meetings)
    assert host_names(res, mm) == {"مصطفى الكاظمي"}
    assert mm.city.node == city_id("بغداد")


def test_a_city_as_subject_of_a_future_hosting_verb_and_a_past_meeting_elsewhere(recognizer):
    res = frames(recognizer, "أعلنت وزارة الخارجية البلجيكية أن بروكسل ستحتضن الشهر المقبل الاجتماع الوزاري المقبل "
                             "للتحالف، بعد الاجتماع الذي استضافته مدريد في يونيو الماضي.")
    status = {m.city.node: m.status for m in res.meetings}
    assert status == {city_id("بروكسل"): "planned", city_id("مدريد"): "past"}


def test_a_reception_with_place_and_time_before_the_counterpart(recognizer):
    res = frames(recognizer, "استقبل وزير الخارجية الأردني أيمن الصفدي في عمّان اليوم نظيره الفرنسي جان إيف "
                             "لودريان، وبحثا جهود التحالف ضد داعش.")
    mm = only(res.meetings)
    assert mm.kind == "bilateral" and host_names(res, mm) == {"أيمن الصفدي"}
    assert mm.city.node == city_id("عمان") or mm.city.attrs["place"].name_en == "Amman"


def test_an_article_about_no_meeting_has_none(recognizer):
    res = frames(recognizer, "نيودلهي - دعت الهند إلى تعزيز التعاون الدولي ضد الإرهاب، وقال المتحدث باسم الخارجية "
                             "الهندية إن بلاده تتابع التطورات في سوريا.")
    assert res.meetings == []


def test_a_city_hosting_and_chairs_in_a_relative_clause(recognizer):
    res = frames(recognizer, "الرباط (ومع) - تحتضن العاصمة المغربية الرباط، اليوم الأربعاء، الاجتماع الوزاري "
                             "لمجموعة التركيز الإفريقية التابعة للتحالف الدولي ضد داعش، الذي يرأسه بشكل مشترك وزير "
                             "الشؤون الخارجية ناصر بوريطة ووزير الخارجية الأمريكي أنتوني بلينكن.")
    mm = only(res.meetings)
    assert mm.city.node == city_id("الرباط")
    assert host_names(res, mm) == {"ناصر بوريطة", "أنتوني بلينكن"}


def test_the_head_of_a_delegation_takes_part_and_does_not_host(recognizer):
    res = frames(recognizer, "ترأس الشيخ أحمد ناصر المحمد الصباح وزير الخارجية وفد دولة الكويت المشارك في الاجتماع "
                             "الوزاري للتحالف الدولي الذي عقد اليوم في العاصمة الإيطالية بدعوة من وزير الخارجية "
                             "الإيطالي لويجي دي مايو.")
    mm = only(res.meetings)
    assert host_names(res, mm) == {"لويجي دي مايو"}
    by_node = {m.node: m.text for m in res.person_mentions}
    assert "أحمد ناصر المحمد الصباح" in {by_node.get(n) for n, *_ in mm.participant_spans}


def test_a_patron_and_a_minister_meeting_his_peers(recognizer):
    res = frames(recognizer, "تحت رعاية رئيس مجلس الوزراء العراقي محمد شياع السوداني، انطلقت في بغداد اليوم أعمال "
                             "المؤتمر الدولي لمكافحة الإرهاب بمشاركة وفود من ثلاثين دولة.")
    mm = only(res.meetings)
    assert mm.hosts and mm.city.node == city_id("بغداد")
    assert "patron" in mm.slot_cues[("host", mm.hosts[0])]
    res = frames(recognizer, "التقى وزير الخارجية الأمريكي ماركو روبيو، اليوم، وزراء خارجية دول التحالف الدولي ضد "
                             "داعش في مدينة نيويورك.")
    mm = only(res.meetings)
    assert host_names(res, mm) == {"ماركو روبيو"} and mm.city.node == city_id("نيويورك")


def test_a_press_conference_is_no_meeting(recognizer):
    res = frames(recognizer, "قال وزير الخارجية الفرنسي جان نويل بارو في مؤتمر صحفي عقده في بيروت اليوم إن بلاده "
                             "تدعم الجيش اللبناني.")
    assert res.meetings == []


def test_a_city_that_witnessed_the_meeting_is_its_place(recognizer):
    res = frames(recognizer, "شهدت العاصمة الأردنية عمّان، أمس، انعقاد اجتماع لكبار مسؤولي التحالف الدولي ضد داعش، "
                             "بمشاركة ممثلين عن خمس وعشرين دولة، وترأسه المبعوث الأمريكي الخاص للتحالف جون ألين.")
    mm = only(res.meetings)
    assert mm.city.attrs["place"].name_en == "Amman" and host_names(res, mm) == {"جون ألين"}


def test_the_speakers_own_country_as_the_hosting_verbs_subject(recognizer):
    # invented: "بلاده/بلادها" before or after a hosting verb is the government of the person (or
    # the title's nisba) named before it; with no clear antecedent no host is guessed
    res = frames(recognizer, "أعلن وزير الخارجية الإيطالي أنطونيو تاياني أن بلاده ستستضيف اجتماعا لوزراء التحالف "
                             "الدولي ضد داعش في روما الشهر المقبل.")
    assert only(res.meetings).host_countries == ["IT"]
    res = frames(recognizer, "وقال وزير الخارجية الفرنسي إن بلاده تستضيف اجتماع التحالف في باريس يوم الخميس.")
    assert only(res.meetings).host_countries == ["FR"]
    res = frames(recognizer, "وأكدت الوزيرة الكندية ميلاني جولي أن تستضيف بلادها الاجتماع المقبل للتحالف في أوتاوا.")
    assert only(res.meetings).host_countries == ["CA"]
    res = frames(recognizer, "وقال المتحدث إن بلاده ستستضيف اجتماعا للتحالف في القاهرة.")
    assert only(res.meetings).host_countries == []
    # a bare "المملكة": the speaker's country if it is a kingdom; a full name stays a country name
    res = frames(recognizer, "وقال وزير الخارجية المغربي ناصر بوريطة إن المملكة تستضيف اجتماع التحالف الدولي "
                             "لهزيمة داعش في مراكش يوم الأربعاء.")
    assert only(res.meetings).host_countries == ["MA"]
    res = frames(recognizer, "وقال وزير الخارجية الفرنسي إن المملكة تستضيف اجتماع التحالف في الرياض.")
    assert only(res.meetings).host_countries == []
    res = frames(recognizer, "تستضيف المملكة العربية السعودية اجتماع التحالف في الرياض يوم الخميس.")
    assert only(res.meetings).host_countries == ["SA"]
