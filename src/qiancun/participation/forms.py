from django import forms

from qiancun.core.forms import StyledForm

from .choices import DonorKind, ImportMode, Relation, RoundPeriod, StockKind, VenueKind


class HouseholdForm(StyledForm, forms.Form):
    number = forms.CharField(label="户号", max_length=30)
    head_name = forms.CharField(label="户主姓名", max_length=50)
    id_number = forms.CharField(label="户主身份证号", max_length=18, required=False)
    phone = forms.CharField(label="户主手机号", max_length=20, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    group = forms.ChoiceField(label="十户一组", required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "（暂不编组）"), *[(g.pk, g.name) for g in groups]]


class MemberForm(StyledForm, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    relation = forms.ChoiceField(label="与户主关系", choices=[c for c in Relation.choices if c[0] != Relation.HEAD])
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    phone = forms.CharField(label="手机号", max_length=20, required=False)


class ImportForm(StyledForm, forms.Form):
    file = forms.FileField(label="农户表（.xlsx、.xls、.ods 或 CSV）")
    mode = forms.ChoiceField(label="导入方式", choices=ImportMode.choices, initial=ImportMode.ALL_OR_NOTHING, widget=forms.RadioSelect)


class NameForm(StyledForm, forms.Form):
    name = forms.CharField(label="组名", max_length=50)


class CriterionForm(StyledForm, forms.Form):
    name = forms.CharField(label="评分项", max_length=60)
    max_score = forms.IntegerField(label="满分", min_value=1, max_value=100)
    order = forms.IntegerField(label="顺序", min_value=0, initial=0, required=False)


class RoundForm(StyledForm, forms.Form):
    name = forms.CharField(label="名称", max_length=60, help_text="如 2022年第二季度干净人家评选")
    period = forms.ChoiceField(label="周期", choices=RoundPeriod.choices, initial=RoundPeriod.QUARTERLY)
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    pass_score = forms.IntegerField(label="干净人家分数线", min_value=1)


class RuleForm(StyledForm, forms.Form):
    name = forms.CharField(label="事项", max_length=60, help_text="如 义务清扫、乱扔垃圾")
    points = forms.IntegerField(label="积分", min_value=-100, max_value=100, help_text="扣分填负数")


class ProposalForm(StyledForm, forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    rule = forms.ChoiceField(label="积分事项")
    reason = forms.CharField(label="事由补充", max_length=200, required=False)
    occurred_on = forms.DateField(label="发生日期", widget=forms.DateInput(attrs={"type": "date"}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [(r.pk, str(r)) for r in rules]


class GoodsForm(StyledForm, forms.Form):
    name = forms.CharField(label="品名", max_length=60)
    unit = forms.CharField(label="单位", max_length=10, initial="件")
    price_points = forms.IntegerField(label="兑换积分", min_value=1)


class StockForm(StyledForm, forms.Form):
    goods = forms.ChoiceField(label="商品")
    quantity = forms.IntegerField(label="数量", min_value=1)
    kind = forms.ChoiceField(label="来源", choices=[(StockKind.PURCHASE, "采购"), (StockKind.DONATION, "捐赠")])
    donor_name = forms.CharField(label="捐赠方", max_length=100, required=False)
    donor_kind = forms.ChoiceField(label="捐赠方类别", choices=[("", "—"), *DonorKind.choices], required=False)

    def __init__(self, *args, goods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goods"].choices = [(g.pk, g.name) for g in goods]


class VenueForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=VenueKind.choices)
    name = forms.CharField(label="名称", max_length=60)


class ActivityForm(StyledForm, forms.Form):
    venue = forms.ChoiceField(label="阵地")
    held_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.CharField(label="活动类型", max_length=30, help_text="如 读书会、农技培训、文艺演出")
    title = forms.CharField(label="活动内容", max_length=100)
    participants = forms.IntegerField(label="参加人数", min_value=1)
    photo = forms.FileField(label="照片", required=False)

    def __init__(self, *args, venues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [(v.pk, f"{v.get_kind_display()} · {v.name}") for v in venues]
