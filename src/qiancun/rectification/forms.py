from django import forms
from django.urls import reverse

from qiancun.campaigns.models import Campaign
from qiancun.core.forms import StyledForm
from qiancun.standards.models import Indicator

from .models import MAX_PHOTOS


def indicator_choices():
    """The indicators of every campaign's standard, grouped by standard (the action checks they match the village's)."""
    groups = []
    standards = {c.standard_id: c.standard for c in Campaign.objects.select_related("standard")}
    for standard in standards.values():
        groups.append((str(standard), [(i.pk, str(i)) for i in Indicator.objects.filter(standard=standard)]))
    return [("", "（不对应具体指标）"), *groups]


class OpenProblemForm(StyledForm, forms.Form):
    campaign = forms.TypedChoiceField(label="年度", coerce=int)
    village = forms.CharField(
        label="村区划代码", max_length=12, help_text="输入村名或拼音首字母后从列表中选择",
        widget=forms.TextInput(attrs={"list": "qc-village-options", "autocomplete": "off"}),
    )
    indicator = forms.TypedChoiceField(label="对应指标", required=False, coerce=int, empty_value=None)
    description = forms.CharField(label="问题描述", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    responsible_unit = forms.CharField(label="责任单位", max_length=100, required=False)
    responsible_person = forms.CharField(label="责任人", max_length=50, required=False)
    deadline = forms.DateField(label="整改时限", required=False, help_text="不填则为 30 天后",
                               widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(c.year, c.name) for c in Campaign.objects.all()]
        self.fields["indicator"].choices = indicator_choices()
        self.fields["village"].widget.attrs.update({
            "hx-get": reverse("regions:search") + "?format=options&level=village",
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#qc-village-options",
        })


class AssignForm(StyledForm, forms.Form):
    responsible_unit = forms.CharField(label="责任单位", max_length=100)
    responsible_person = forms.CharField(label="责任人", max_length=50)
    deadline = forms.DateField(label="整改时限", widget=forms.DateInput(attrs={"type": "date"}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class SubmitFixForm(StyledForm, forms.Form):
    note = forms.CharField(label="整改说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(
        label="整改后照片", help_text=f"JPEG、PNG 或 HEIC，每张不超过 10 MB，最多 {MAX_PHOTOS} 张",
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True}),
    )


class VerifyForm(StyledForm, forms.Form):
    reason = forms.CharField(label="核验意见", max_length=500, required=False, help_text="退回重改时必填",
                             widget=forms.Textarea(attrs={"rows": 2}))
