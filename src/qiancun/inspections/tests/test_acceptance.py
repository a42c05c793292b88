from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.campaigns.choices import EnrollmentStatus
from qiancun.campaigns.models import Enrollment
from qiancun.core.errors import DomainError
from qiancun.core.testing import make_user
from qiancun.inspections import actions
from qiancun.inspections.models import InspectionRecord

from .factories import HUNCHUN, YANBIAN, YANJI, confirmed_campaign, drawn, evidence, inspect, jpeg, self_check

pytestmark = pytest.mark.django_db


def test_a_county_cannot_submit_its_self_check_before_every_village_is_inspected():
    campaign, _ = confirmed_campaign()
    staff = make_user("staff", YANJI)
    round = actions.do_create_round(campaign, acting_user=staff, kind="self_check", name="延吉自查",
                                    starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    villages = list(actions.eligible(round))
    for enrollment in villages[:3]:
        inspect(round, enrollment, staff)
    with pytest.raises(DomainError) as caught:
        actions.do_submit_round(round, acting_user=staff)
    assert caught.value.code == "coverage_below_rule" and "4 个村" in caught.value.message and "已检查 3 个" in caught.value.message
    inspect(round, villages[3], staff)
    assert actions.do_submit_round(round, acting_user=staff).status == "submitted"


def test_the_city_sends_a_self_check_back_then_locks_it_and_villages_move_on():
    campaign, enrollments = confirmed_campaign()
    failing = {enrollments[0].village_id: {"无1"}}
    round = self_check(campaign, YANJI, failing, sign_off=False)
    staff, city = make_user("staff", YANJI), make_user("staff", YANBIAN)
    actions.do_submit_round(round, acting_user=staff)
    with pytest.raises(DomainError):
        actions.do_sign_off(round, acting_user=city, accept=False)  # a reason is required
    actions.do_sign_off(round, acting_user=city, accept=False, reason="照片不清晰，请补拍")
    assert round.status == "sent_back"
    actions.do_submit_round(round, acting_user=staff)
    actions.do_sign_off(round, acting_user=city, accept=True)
    statuses = dict(Enrollment.objects.filter(village__code__startswith=YANJI).values_list("village_id", "status"))
    assert statuses[enrollments[0].village_id] == EnrollmentStatus.CREATING  # failed self-check: not passed on
    assert sorted(statuses.values()).count(EnrollmentStatus.SELF_CHECKED) == 3
    record = InspectionRecord.objects.get(round=round, enrollment=enrollments[0])
    with pytest.raises(DomainError) as locked:
        actions.do_save_verdict(record, campaign.standard.indicators.first().pk, acting_user=staff, verdict="met")
    assert locked.value.code in ("round_locked", "record_submitted")
    # the failure opened a problem to fix on the spot (即查即改)
    assert record.enrollment.problems.count() == 1


def recheck(campaign):
    return actions.do_create_round(campaign, acting_user=make_user("staff", YANBIAN), kind="re_check", name="复验",
                                   starts_on=date(2022, 6, 11), ends_on=date(2022, 6, 20))


def test_a_city_cannot_close_a_re_check_below_half():
    campaign, _ = confirmed_campaign(per_county=5)
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    round = recheck(campaign)
    city = make_user("staff", YANBIAN)
    draw = drawn(round, city)
    sampled = list(actions.targets(round))
    assert len(sampled) == 6  # ceil(50% × 5) in each county
    for enrollment in sampled[:4]:
        inspect(round, enrollment, city)
    with pytest.raises(DomainError) as caught:
        actions.do_close_round(round, acting_user=city)
    assert "至少 50%" in caught.value.message and "已检查 4 个（40.0%）" in caught.value.message
    inspect(round, sampled[4], city)
    actions.do_close_round(round, acting_user=city)
    assert Enrollment.objects.filter(status=EnrollmentStatus.RE_CHECKED).count() == 5
    outside = next(e for e in actions.eligible(round) if e.village_id not in draw.result)
    with pytest.raises(DomainError):
        actions.do_start_inspection(round, outside, acting_user=city)


def test_province_spot_check_failures_are_not_accepted_and_the_rest_are_named():
    campaign, enrollments = confirmed_campaign(per_county=10)
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    province = make_user("staff", "22")
    round = actions.do_create_round(campaign, acting_user=province, kind="spot_check", name="省级抽查",
                                    starts_on=date(2022, 6, 21), ends_on=date(2022, 6, 30))
    draw = drawn(round, province)
    assert list(draw.strata) == [YANBIAN] and len(draw.result) == 2  # 10% of 20, stratified by city
    first, second = actions.targets(round)
    inspect(round, first, province, failing={"有3"})
    inspect(round, second, province)
    actions.do_close_round(round, acting_user=province)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == EnrollmentStatus.NOT_ACCEPTED and second.status == EnrollmentStatus.ACCEPTED
    named = actions.do_finish_acceptance(campaign, acting_user=make_user("admin", "22"))
    assert named == 18
    assert Enrollment.objects.filter(status=EnrollmentStatus.ACCEPTED).count() == 19


def test_an_unannounced_visit_can_lead_to_revocation_by_the_province():
    campaign, enrollments = confirmed_campaign(per_county=10)
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    province = make_user("staff", "22")
    spot = actions.do_create_round(campaign, acting_user=province, kind="spot_check", name="省级抽查", starts_on=date(2022, 6, 21), ends_on=date(2022, 6, 30))
    drawn(spot, province)
    for enrollment in actions.targets(spot):
        inspect(spot, enrollment, province)
    actions.do_close_round(spot, acting_user=province)
    actions.do_finish_acceptance(campaign, acting_user=make_user("admin", "22"))
    inspector = make_user("inspector", "22")
    visit = actions.do_create_round(campaign, acting_user=province, kind="unannounced", name="2023年暗访",
                                    starts_on=date(2023, 4, 1), ends_on=date(2023, 4, 30), inspector_ids=[inspector.pk])
    target = actions.targets(visit).first()
    record = inspect(visit, target, inspector, failing={"无2", "无3"}, major_problem=True, summary="垃圾成堆、污水横流，明显反弹")
    revocation = actions.do_propose_revocation(record, acting_user=inspector, reason="明显反弹")
    with pytest.raises(DomainError):
        actions.do_decide_revocation(revocation, acting_user=province, approve=True)  # province staff cannot decide
    actions.do_decide_revocation(revocation, acting_user=make_user("admin", "22"), approve=True, note="省级研究决定")
    target.refresh_from_db()
    assert target.status == EnrollmentStatus.REVOKED
    assert [e.step for e in target.events.all()][-1] == "revoke"


def test_cross_inspection_never_gives_a_county_its_own_villages():
    campaign, _ = confirmed_campaign()
    city = make_user("staff", YANBIAN)
    round = actions.do_create_round(campaign, acting_user=city, kind="cross", name="交叉互检", starts_on=date(2022, 6, 1), ends_on=date(2022, 6, 5))
    pairs = {(a.inspecting_county_id, a.inspected_county_id) for a in actions.do_assign_cross_inspection(round, acting_user=city)}
    assert pairs == {(YANJI, HUNCHUN), (HUNCHUN, YANJI)}
    with pytest.raises(DomainError) as caught:
        actions.do_set_cross_assignment(round, acting_user=city, inspecting_county=YANJI, inspected_county=YANJI)
    assert caught.value.field == "inspected_county"
    yanji_staff = make_user("staff", YANJI)
    own = actions.eligible(round).filter(village__code__startswith=YANJI).first()
    theirs = actions.eligible(round).filter(village__code__startswith=HUNCHUN).first()
    with pytest.raises(DomainError):
        actions.do_start_inspection(round, own, acting_user=yanji_staff)
    assert actions.do_start_inspection(round, theirs, acting_user=yanji_staff).enrollment == theirs


def test_photos_must_be_real_images_and_required_evidence_is_enforced():
    campaign, _ = confirmed_campaign()
    staff = make_user("staff", YANJI)
    round = actions.do_create_round(campaign, acting_user=staff, kind="self_check", name="自查", starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    enrollment = actions.eligible(round).first()
    record = actions.do_start_inspection(round, enrollment, acting_user=staff)
    for indicator in campaign.standard.indicators.all():
        actions.do_save_verdict(record, indicator.pk, acting_user=staff, verdict="met")
    with pytest.raises(DomainError) as unproven:
        actions.do_submit_inspection(record, acting_user=staff)
    assert unproven.value.field == "photo" and "有1" in unproven.value.message
    spoofed = SimpleUploadedFile("../../etc/passwd.jpg", b"<?php echo 'hi'; ?>", content_type="image/jpeg")
    with pytest.raises(DomainError) as bad:
        actions.do_add_photo(record, [], spoofed, acting_user=staff)
    assert bad.value.code == "invalid_file" and "JPEG" in bad.value.message
    photo = actions.do_add_photo(record, evidence(campaign)[0][0], jpeg("../../x.jpg"), acting_user=staff)
    assert ".." not in photo.image.name and photo.thumbnail.name.endswith("_thumb.jpg")
    submitted = actions.do_submit_inspection(record, acting_user=staff, latitude="42.89", longitude="129.5")
    assert submitted.passed is True and submitted.status == "submitted"
    assert campaign.standard.__class__.objects.get(pk=campaign.standard_id).is_frozen


def test_a_heic_photo_is_converted_and_exif_time_and_place_are_read():
    import io

    from PIL import Image
    from pillow_heif import register_heif_opener

    from qiancun.core.images import check_image

    register_heif_opener()
    image = Image.new("RGB", (80, 60), (200, 100, 50))
    exif = Image.Exif()
    exif[0x0132] = "2022:06:12 10:30:00"
    gps = {1: "N", 2: (42.0, 53.0, 24.0), 3: "E", 4: (129.0, 30.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", exif=exif.tobytes())
    processed = check_image(SimpleUploadedFile("IMG_0001.HEIC", buffer.getvalue()))
    assert processed.content.name.endswith(".jpg") and processed.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(processed.content.read())).format == "JPEG"
    assert processed.taken_at is not None and processed.taken_at.hour == 10
    assert float(processed.latitude) == pytest.approx(42.89, abs=0.001) and float(processed.longitude) == pytest.approx(129.5)


def test_a_village_cannot_fill_in_the_provinces_check_of_itself():
    from django.urls import reverse

    from qiancun.core.testing import client_for

    campaign, _ = confirmed_campaign(per_county=10)
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    province = make_user("staff", "22")
    spot = actions.do_create_round(campaign, acting_user=province, kind="spot_check", name="省级抽查", starts_on=date(2022, 6, 21), ends_on=date(2022, 6, 30))
    drawn(spot, province)
    target = actions.targets(spot).first()
    record = actions.do_start_inspection(spot, target, acting_user=province)
    for user in (make_user("staff", target.village_id), make_user("staff", target.village_id[:6])):
        assert not actions.may_inspect(user, spot, target)
        page = client_for(user).post(reverse("inspections:record", args=[record.pk]) + "?step=0", {"verdict": "met"})
        assert page.templates[0].name == "inspections/record_detail.html"  # read-only
    assert record.verdicts.count() == 0


def test_a_cross_inspection_that_finds_problems_opens_them_in_the_other_county():
    campaign, _ = confirmed_campaign()
    city = make_user("staff", YANBIAN)
    round = actions.do_create_round(campaign, acting_user=city, kind="cross", name="交叉互检", starts_on=date(2022, 6, 1), ends_on=date(2022, 6, 5))
    actions.do_assign_cross_inspection(round, acting_user=city)
    hunchun_village = actions.eligible(round).filter(village__code__startswith=HUNCHUN).first()
    record = inspect(round, hunchun_village, make_user("staff", YANJI), failing={"无2"})
    assert record.status == "submitted" and record.passed is False
    assert hunchun_village.problems.filter(indicator__code="无2").exists()
