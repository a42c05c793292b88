from django import forms

from qiancun.campaigns.models import Campaign
from qiancun.core.forms import StyledForm

from .choices import ROUND_LEVEL, RoundKind


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


class SeedForm(StyledForm, forms.Form):
    seed = forms.CharField(label="随机种子", max_length=200, help_text="公开时刻产生的数字，如当日福彩3D开奖号码")
    seed_source = forms.CharField(label="种子来源", max_length=200, help_text="如：2022年6月15日福利彩票3D第2022158期开奖号码")


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label="理由", max_length=300)
