import pytest
from django.urls import reverse

from qiancun.core.testing import YANJI, client_for, make_user
from qiancun.standards.choices import IndicatorKind, JudgedBy

from .factories import default_standard

pytestmark = pytest.mark.django_db


def test_the_default_2022_standard_has_nine_haves_and_six_must_nots_through_the_api():
    standard = default_standard()
    body = client_for(make_user("inspector", "22")).get(f"/api/v1/standards/{standard.pk}").json()
    assert body["name"] == "2022年“千村示范”创建标准（九有六无）"
    assert body["is_provisional"] is True and body["is_frozen"] is False and body["pass_rule"] == "all"
    kinds = [i["kind"] for i in body["indicators"]]
    assert kinds.count(IndicatorKind.HAVE) == 9 and kinds.count(IndicatorKind.MUST_NOT) == 6
    assert (body["have_count"], body["must_not_count"]) == (9, 6)
    assert [i["code"] for i in body["indicators"]] == [f"有{n}" for n in range(1, 10)] + [f"无{n}" for n in range(1, 7)]
    assert all(i["description"] and i["category"] for i in body["indicators"])


def test_the_default_standard_speaks_the_work_plans_terms():
    text = " ".join(f"{i.title} {i.description}" for i in default_standard().indicators.all())
    for term in ("多规合一", "一二三产融合", "卫生日常保洁", "垃圾清运", "有制度", "有队伍", "有投入", "有监督",
                 "十户一组", "干净人家", "道德银行", "爱心超市", "农村文化大院", "农家书屋", "科技小院", "村规民约",
                 "无乱堆乱放", "无垃圾乱倒", "无污水乱排", "无违章建筑", "无残垣断壁", "无重大安全隐患"):
        assert term in text, term
    # Participation and everything else is judged by the inspector until other domains register computations.
    assert set(default_standard().indicators.values_list("judged_by", flat=True)) == {JudgedBy.INSPECTOR}


def test_list_shows_year_version_draft_badge_and_counts_to_every_role():
    page = client_for(make_user("staff", YANJI)).get(reverse("standards:list"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "2022年“千村示范”创建标准（九有六无）" in content and "草案" in content and "第 1 版" in content
    row = next(s for s in page.context["standards"] if s.year == 2022 and s.version == 1)
    assert (row.have_count, row.must_not_count) == (9, 6)
    assert "新建标准" not in content  # county staff read, never manage


def test_detail_groups_nine_haves_and_six_must_nots_under_a_draft_banner():
    page = client_for(make_user("leader", "22")).get(reverse("standards:detail", args=[default_standard().pk]))
    content = page.content.decode()
    assert [g.heading for g in page.context["groups"]] == ["九有", "六无"]
    assert [len(g.indicators) for g in page.context["groups"]] == [9, 6]
    assert 'data-testid="draft-banner"' in content and "待替换为正式文本" in content
    assert "九有全部具备且六无均未出现" in content
    assert "bi-pencil" not in content and "Excel 导入" not in content
