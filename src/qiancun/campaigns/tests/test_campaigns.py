import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qiancun.campaigns import actions
from qiancun.campaigns.choices import EnrollmentStatus
from qiancun.campaigns.lifecycle import Step
from qiancun.campaigns.models import Enrollment, Quota, Tag
from qiancun.core.errors import DomainError
from qiancun.core.testing import client_for, make_user
from qiancun.regions.models import Region

from .factories import HUNCHUN, YANBIAN, YANJI, campaign_2022, with_quotas, yanji_villages

pytestmark = pytest.mark.django_db


def test_province_creates_the_2022_campaign_with_the_plans_targets():
    client = client_for(make_user("admin", "22"))
    from qiancun.standards.models import Standard

    response = client.post(reverse("campaigns:create"), {
        "year": 2022, "name": "2022年“千村示范”创建", "standard": Standard.objects.filter(year=2022).first().pk,
        "target_total": 1000, "target_key_border": 119, "target_poverty": 295, "recheck_percent": 50, "spot_check_percent": 10,
        "document": "吉政办函〔2022〕52号",
    })
    assert response["Location"] == reverse("campaigns:detail", args=[2022])
    page = client.get(response["Location"]).content.decode()
    assert "1000" in page and "119" in page and "295" in page
    assert client_for(make_user("admin", YANBIAN)).get(reverse("campaigns:create")).status_code == 403


def test_quotas_nest_below_the_city_and_only_go_one_level_down():
    campaign = campaign_2022()
    province = make_user("admin", "22")
    actions.do_set_quota(campaign, Region.objects.get(code="2201"), acting_user=province, total=900)
    actions.do_set_quota(campaign, Region.objects.get(code=YANBIAN), acting_user=province, total=100)
    city = make_user("admin", YANBIAN)
    actions.do_set_quota(campaign, Region.objects.get(code=YANJI), acting_user=city, total=60)
    with pytest.raises(DomainError) as caught:
        actions.do_set_quota(campaign, Region.objects.get(code=HUNCHUN), acting_user=city, total=41)
    assert "延边朝鲜族自治州共 100 个" in caught.value.message
    with pytest.raises(DomainError):  # a city does not allocate to another city's counties
        actions.do_set_quota(campaign, Region.objects.get(code="220112"), acting_user=city, total=1)
    with pytest.raises(DomainError):  # nor the province straight to a county
        actions.do_set_quota(campaign, Region.objects.get(code=HUNCHUN), acting_user=province, total=1)


def test_quota_page_shows_allocated_and_used_and_names_the_bad_row():
    campaign = with_quotas(campaign_2022())
    village = yanji_villages(1)[0]
    actions.do_nominate(campaign, village, acting_user=make_user("staff", YANJI))
    client = client_for(make_user("admin", YANBIAN))
    page = client.get(reverse("campaigns:quotas", args=[2022]))
    yanji_row = next(r for r in page.context["rows"] if r["region"].code == YANJI)
    assert yanji_row["quota"].total == 10 and yanji_row["used"]["nominated"] == 1
    refused = client.post(reverse("campaigns:quotas", args=[2022]), {f"total-{HUNCHUN}": "500"})
    assert refused.status_code == 200
    assert "延边朝鲜族自治州共 100 个" in next(r for r in refused.context["rows"] if r["region"].code == HUNCHUN)["error"]
    assert not Quota.objects.filter(campaign=campaign, region_id=HUNCHUN).exists()


def test_a_county_nominates_within_its_quota_once_per_village():
    campaign = with_quotas(campaign_2022(), county_total=2)
    staff = make_user("staff", YANJI)
    first, second, third = yanji_villages(3)
    actions.do_nominate(campaign, first, acting_user=staff)
    with pytest.raises(DomainError) as twice:
        actions.do_nominate(campaign, first, acting_user=staff)
    assert twice.value.code == "conflict" and "已在2022年度" in twice.value.message
    actions.do_nominate(campaign, second, acting_user=staff)
    with pytest.raises(DomainError) as full:
        actions.do_nominate(campaign, third, acting_user=staff)
    assert full.value.message == "本县示范村名额 2 个已用完，不能再提名（可请市级调增名额）"
    with pytest.raises(DomainError) as outside:
        actions.do_nominate(campaign, Region.objects.get(code="222404100201"), acting_user=staff)
    assert outside.value.field == "village"


def test_consolidate_track_needs_a_village_named_in_an_earlier_year():
    campaign = with_quotas(campaign_2022())
    with pytest.raises(DomainError) as caught:
        actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI), track="consolidate")
    assert caught.value.field == "track" and "以往年度" in caught.value.message


def test_review_confirm_and_return_follow_the_lifecycle_and_fill_the_timeline():
    campaign = with_quotas(campaign_2022())
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    city = make_user("staff", YANBIAN)
    province = make_user("staff", "22")
    with pytest.raises(DomainError) as early:  # the province cannot confirm before the city reviews
        actions.do_confirm(enrollment, acting_user=province)
    assert early.value.code == "illegal_transition" and "县级已提名" in early.value.message
    with pytest.raises(DomainError) as no_reason:
        actions.do_review(enrollment, acting_user=city, approve=False)
    assert no_reason.value.field == "reason"
    actions.do_review(enrollment, acting_user=city, approve=False, reason="缺少村庄规划")
    actions.do_resubmit(enrollment, acting_user=make_user("staff", YANJI))
    actions.do_review(enrollment, acting_user=city, approve=True)
    actions.do_confirm(enrollment, acting_user=province)
    assert enrollment.status == EnrollmentStatus.CREATING
    with pytest.raises(DomainError):
        actions.apply_step(enrollment, Step.ACCEPT, acting_user=province)  # acceptance needs the self-check first
    page = client_for(make_user("staff", YANJI)).get(reverse("campaigns:enrollment_detail", args=[enrollment.pk])).content.decode()
    assert "缺少村庄规划" in page and "省级确认" in page and "创建中" in page


def test_levels_act_only_on_their_own_step():
    campaign = with_quotas(campaign_2022())
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    with pytest.raises(DomainError) as county_reviews:
        actions.do_review(enrollment, acting_user=make_user("staff", YANJI), approve=True)
    assert county_reviews.value.code == "forbidden"
    with pytest.raises(DomainError):  # another city never sees it
        actions.do_review(enrollment, acting_user=make_user("staff", "2201"), approve=True)


def test_city_approves_many_at_once_from_the_list():
    campaign = with_quotas(campaign_2022())
    staff = make_user("staff", YANJI)
    enrollments = [actions.do_nominate(campaign, v, acting_user=staff) for v in yanji_villages(3)]
    client = client_for(make_user("staff", YANBIAN))
    client.post(reverse("campaigns:enrollments_bulk", args=[2022]), {"step": "review", "ids": [e.pk for e in enrollments[:2]]})
    statuses = sorted(Enrollment.objects.filter(campaign=campaign).values_list("status", flat=True))
    assert statuses == ["nominated", "under_review", "under_review"]
    assert client_for(staff).post(reverse("campaigns:enrollments_bulk", args=[2022]), {"step": "review"}).status_code == 403


def nomination_sheet(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["村区划代码", "类型", "标签", "说明"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "提名.xlsx"
    return buffer


def test_excel_nomination_with_one_bad_row_names_it_and_imports_nothing():
    campaign = with_quotas(campaign_2022())
    good = [v.code for v in yanji_villages(3)]
    sheet = nomination_sheet([
        [good[0], "创建", "集聚提升类", ""],
        [good[1], "创建", "不存在的标签", ""],
        ["222404100201", "创建", "", ""],
        [good[2], "巩固", "", ""],
    ])
    client = client_for(make_user("staff", YANJI))
    response = client.post(reverse("campaigns:nominations_import", args=[2022]), {"file": sheet})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["import_result"].errors}
    assert errors == {(3, "标签"), (4, "村区划代码"), (5, "类型")}
    assert "文件有 3 行错误" in response.content.decode()
    assert not Enrollment.objects.filter(campaign=campaign).exists()
    fixed = nomination_sheet([[good[0], "创建", "集聚提升类、乡村旅游重点村", "示范带"], [good[1], "创建", "", ""]])
    assert client.post(reverse("campaigns:nominations_import", args=[2022]), {"file": fixed}).status_code == 302
    first = Enrollment.objects.get(campaign=campaign, village_id=good[0])
    assert sorted(first.tags.values_list("name", flat=True)) == ["乡村旅游重点村", "集聚提升类"]


def test_a_file_that_is_not_a_nomination_sheet_is_refused_clearly():
    with_quotas(campaign_2022())
    client = client_for(make_user("staff", YANJI))
    bogus = io.BytesIO(b"not excel")
    bogus.name = "x.xlsx"
    response = client.post(reverse("campaigns:nominations_import", args=[2022]), {"file": bogus})
    assert ".xlsx" in response.context["import_form"].errors["file"][0]


def test_export_is_scoped_and_in_the_official_layout():
    campaign = with_quotas(campaign_2022())
    for village in yanji_villages(2):
        actions.do_nominate(campaign, village, acting_user=make_user("staff", YANJI))
    response = client_for(make_user("staff", YANJI)).get(reverse("campaigns:enrollments_export", args=[2022]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2022年“千村示范”创建村名单"
    assert list(rows[1]) == ["序号", "市（州）", "县（市、区）", "乡镇（街道）", "村", "区划代码", "类型", "重点边境村", "脱贫村", "标签", "状态"]
    assert [r[2] for r in rows[2:]] == ["延吉市", "延吉市"] and rows[2][10] == "县级已提名"
    other = client_for(make_user("staff", HUNCHUN)).get(reverse("campaigns:enrollments_export", args=[2022]))
    assert len(list(load_workbook(io.BytesIO(other.content)).active.iter_rows())) == 2


def test_overview_counts_by_child_region_and_drills_down():
    campaign = with_quotas(campaign_2022())
    staff = make_user("staff", YANJI)
    for village in yanji_villages(3):
        actions.do_nominate(campaign, village, acting_user=staff)
    province = client_for(make_user("leader", "22")).get(reverse("campaigns:detail", args=[2022]))
    rows = {r["region"].code: r for r in province.context["data"]["rows"]}
    assert len(rows) == 9 and rows[YANBIAN]["nominated"] == 3 and rows[YANBIAN]["quota"].total == 100
    assert province.context["chart"]["codes"][8] == YANBIAN
    city = client_for(make_user("leader", "22")).get(reverse("campaigns:detail", args=[2022]), {"region": YANBIAN})
    assert {r["region"].code: r["nominated"] for r in city.context["data"]["rows"]}[YANJI] == 3
    county = client_for(make_user("staff", HUNCHUN)).get(reverse("campaigns:detail", args=[2022]), {"region": YANBIAN})
    assert county.status_code == 404


def test_department_users_maintain_only_their_own_theme():
    campaign = with_quotas(campaign_2022())
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    justice = make_user("department", "22", department_code="justice")
    law = Tag.objects.get(name="示范创建+民主法治")
    health = Tag.objects.get(name="示范创建+健康村")
    actions.do_set_tags(enrollment, acting_user=justice, tag_ids=[law.pk])
    assert list(enrollment.tags.all()) == [law]
    with pytest.raises(DomainError) as caught:
        actions.do_set_tags(enrollment, acting_user=justice, tag_ids=[law.pk, health.pk])
    assert caught.value.code == "forbidden"
    assert list(Enrollment.objects.with_theme_of(justice.department_id)) == [enrollment]
    actions.do_nominate(campaign, yanji_villages(2)[1], acting_user=make_user("staff", YANJI))
    mine = client_for(justice).get(reverse("campaigns:enrollments", args=[2022]), {"mine": "1"})
    assert [e.pk for e in mine.context["page_obj"]] == [enrollment.pk]
    assert client_for(justice).get(reverse("campaigns:enrollments", args=[2022])).context["page_obj"].paginator.count == 2


def test_shortfall_list_drives_the_villages_progress():
    campaign = with_quotas(campaign_2022())
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    village_staff = make_user("staff", enrollment.village_id)
    indicator = campaign.standard.indicators.first()
    client = client_for(village_staff)
    client.post(reverse("campaigns:shortfall_add", args=[enrollment.pk]), {
        "indicator": indicator.pk, "gap": "垃圾清运不及时", "action_plan": "增设保洁员两名", "responsible_person": "张村长", "due_date": "2022-08-31",
    })
    client.post(reverse("campaigns:shortfall_add", args=[enrollment.pk]), {
        "indicator": "", "gap": "农家书屋藏书不足", "action_plan": "县图书馆配送", "responsible_person": "李主任", "due_date": "2022-09-30",
    })
    first = enrollment.shortfalls.order_by("id").first()
    client.post(reverse("campaigns:shortfall_status", args=[first.pk]), {"status": "closed"})
    page = client.get(reverse("campaigns:enrollment_detail", args=[enrollment.pk]))
    assert page.context["progress"] == {"total": 2, "closed": 1, "percent": 50}
    first.refresh_from_db()
    assert first.closed_at is not None
    bad = client.post(reverse("campaigns:shortfall_add", args=[enrollment.pk]), {"gap": "", "action_plan": "x", "responsible_person": "y", "due_date": "2022-09-30"}, follow=True)
    assert "短板弱项" in bad.content.decode() and enrollment.shortfalls.count() == 2


def test_the_village_page_lists_the_campaigns_it_takes_part_in():
    campaign = with_quotas(campaign_2022())
    village = yanji_villages(1)[0]
    actions.do_nominate(campaign, village, acting_user=make_user("staff", YANJI))
    page = client_for(make_user("staff", village.code)).get(reverse("regions:detail", args=[village.code])).content.decode()
    assert "2022年“千村示范”创建" in page and "县级已提名" in page


def test_each_level_returns_only_what_is_in_front_of_it():
    campaign = with_quotas(campaign_2022())
    nominated = actions.do_nominate(campaign, yanji_villages(2)[0], acting_user=make_user("staff", YANJI))
    forwarded = actions.do_nominate(campaign, yanji_villages(2)[1], acting_user=make_user("staff", YANJI))
    actions.do_review(forwarded, acting_user=make_user("staff", YANBIAN), approve=True)
    with pytest.raises(DomainError):  # the province cannot skip the city
        actions.do_confirm(nominated, acting_user=make_user("staff", "22"), confirm=False, reason="x")
    with pytest.raises(DomainError):  # the city cannot pull back what it forwarded
        actions.do_review(forwarded, acting_user=make_user("staff", YANBIAN), approve=False, reason="x")
    assert sorted(Enrollment.objects.values_list("status", flat=True)) == ["nominated", "under_review"]


def test_bad_filters_and_foreign_next_urls_are_harmless():
    campaign = with_quotas(campaign_2022())
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    city = client_for(make_user("staff", YANBIAN))
    assert city.get(reverse("campaigns:enrollments", args=[2022]), {"tag": "abc"}).status_code == 200
    assert city.get(reverse("campaigns:enrollments_export", args=[2022]), {"tag": "abc"}).status_code == 200
    response = city.post(reverse("campaigns:enrollments_bulk", args=[2022]), {"step": "review", "ids": [enrollment.pk], "next": "https://evil.example/x"})
    assert response["Location"] == reverse("campaigns:enrollments", args=[2022])
