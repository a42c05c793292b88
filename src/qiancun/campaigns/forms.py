from django import forms
from django.urls import reverse

from qiancun.accounts.forms import department_choices
from qiancun.core.forms import StyledForm
from qiancun.standards.models import Standard

from .choices import ShortfallStatus, TagKind, Track
from .models import Tag


class CampaignForm(StyledForm, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    name = forms.CharField(label="名称", max_length=100)
    standard = forms.ModelChoiceField(label="创建标准", queryset=Standard.objects.all(), empty_label=None)
    target_total = forms.IntegerField(label="示范村目标数", min_value=0)
    target_key_border = forms.IntegerField(label="其中重点边境村", min_value=0)
    target_poverty = forms.IntegerField(label="其中脱贫村", min_value=0)
    recheck_percent = forms.IntegerField(label="市级复验比例（%）", min_value=1, max_value=100, initial=50)
    spot_check_percent = forms.IntegerField(label="省级抽查比例（%）", min_value=1, max_value=100, initial=10)
    document = forms.CharField(label="依据文件", max_length=200, required=False, help_text="如 吉政办函〔2022〕52号")
    starts_on = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_total"].help_text = "目标是下限（如“1000 个以上”）：各市名额合计须达到目标，可以多于目标"


class CampaignEditForm(CampaignForm):
    """The same fields without the year (a campaign is its year) and the standard (inspections are judged by it)."""

    nomination_open = forms.BooleanField(label="接受提名", required=False)

    field_order = [
        "name", "target_total", "target_key_border", "target_poverty", "starts_on", "ends_on",
        "recheck_percent", "spot_check_percent", "document", "nomination_open",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["year"]
        del self.fields["standard"]


def tag_choices():
    groups = []
    for kind in TagKind:
        options = [(t.pk, t.name) for t in Tag.objects.filter(kind=kind, is_active=True)]
        if options:
            groups.append((kind.label, options))
    return groups


class NominateForm(StyledForm, forms.Form):
    village = forms.CharField(
        label="村区划代码", max_length=12, help_text="输入村名或拼音首字母后从列表中选择",
        widget=forms.TextInput(attrs={"list": "qc-village-options", "autocomplete": "off"}),
    )
    track = forms.ChoiceField(label="类型", choices=Track.choices, initial=Track.CREATE)
    tags = forms.MultipleChoiceField(label="标签", required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = tag_choices()
        self.fields["village"].widget.attrs.update({
            "hx-get": reverse("regions:search") + "?format=options&level=village",
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#qc-village-options",
        })


class TagsForm(StyledForm, forms.Form):
    tags = forms.MultipleChoiceField(label="标签", required=False, widget=forms.SelectMultiple(attrs={"size": 10}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = tag_choices()


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label="理由", max_length=300, required=False)


class ImportForm(StyledForm, forms.Form):
    file = forms.FileField(label="提名表（.xlsx、.xls、.ods 或 CSV）")


class ShortfallForm(StyledForm, forms.Form):
    indicator = forms.TypedChoiceField(label="对应指标", required=False, coerce=int, empty_value=None)
    gap = forms.CharField(label="短板弱项", max_length=200)
    action_plan = forms.CharField(label="补齐措施", max_length=300)
    responsible_person = forms.CharField(label="责任人", max_length=50)
    due_date = forms.DateField(label="完成时限", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "（不对应具体指标）")] + [(i.pk, str(i)) for i in indicators]


class ShortfallStatusForm(StyledForm, forms.Form):
    status = forms.ChoiceField(label="状态", choices=ShortfallStatus.choices)


class TagForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=TagKind.choices)
    name = forms.CharField(label="名称", max_length=60)
    department = forms.ChoiceField(label="牵头部门", required=False, help_text="“示范创建+”主题须指定")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices()
