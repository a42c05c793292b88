from django import forms

from qiancun.campaigns.models import Campaign
from qiancun.core.forms import StyledForm

from .choices import ROUND_LEVEL, RoundKind, SeedSource


class RoundForm(StyledForm, forms.Form):
    campaign = forms.ModelChoiceField(label="年度创建", queryset=Campaign.objects.all(), empty_label=None)
    kind = forms.ChoiceField(label="检查类型")
    name = forms.CharField(label="名称", max_length=100)
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    task_force = forms.CharField(label="工作专班", max_length=200, required=False, help_text="市级复验、交叉互检可填写专班组成")
    inspectors = forms.MultipleChoiceField(label="检查人员", required=False, widget=forms.SelectMultiple(attrs={"size": 6}))

    def __init__(self, *args, user=None, inspectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        level = user.scope_level if user else None
        self.fields["kind"].choices = [(k.value, k.label) for k in RoundKind if ROUND_LEVEL[k] == level]
        self.fields["inspectors"].choices = [(str(u.pk), f"{u.display_name}（{u.role_label}）") for u in inspectors]


class VerdictForm(StyledForm, forms.Form):
    verdict = forms.ChoiceField(label="判定", choices=[("met", "达到"), ("not_met", "未达到"), ("not_applicable", "不适用")],
                                widget=forms.RadioSelect)
    note = forms.CharField(label="说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label="拍照取证", required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif", "capture": "environment"}))


class SubmitForm(StyledForm, forms.Form):
    summary = forms.CharField(label="结论说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    major_problem = forms.BooleanField(label="发现重大问题或明显反弹", required=False)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "latitude"}))
    longitude = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-geo": "longitude"}))


class CommitmentForm(StyledForm, forms.Form):
    """The future public source of the seed, named when the list is published."""

    source = forms.ChoiceField(label="随机数来源", choices=SeedSource.choices, help_text="全国统一开奖、当晚公布的彩票")
    source_issue = forms.CharField(label="期号", max_length=20, help_text="以开奖年份开头，如 2026158。必须是今天以后才开奖的一期，已经开过奖的期号不能用。"
                                                                         "彩票每年从第 001 期起，春节还要停开几天，所以请选大约一周以后开奖的那一期，"
                                                                         "期号和开奖日期以彩票中心公布的开奖安排为准")
    source_date = forms.DateField(label="开奖日期", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="须晚于今天：名单公布时谁也不知道这一期的号码")


class SeedForm(StyledForm, forms.Form):
    source = forms.ChoiceField(label="随机数来源", choices=SeedSource.choices, help_text="须与名单公布时承诺的来源相同")
    source_issue = forms.CharField(label="期号", max_length=20)
    numbers = forms.CharField(label="开奖号码", max_length=200, help_text="照开奖公告逐个填写，用空格隔开")


class RedrawForm(CommitmentForm):
    reason = forms.CharField(label="重抽理由", max_length=300, help_text="将与被取代的抽取结果一起公开")

    field_order = ["reason", "source", "source_issue", "source_date"]


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label="理由", max_length=300)
