from django import forms

from qiancun.core.forms import StyledForm

from .choices import VillageType


class VillageForm(StyledForm, forms.Form):
    village_type = forms.ChoiceField(label="村庄类型", choices=VillageType.choices)
    is_key_border = forms.BooleanField(label="重点边境村", required=False)
    is_poverty_alleviated = forms.BooleanField(label="脱贫村", required=False)
    longitude = forms.CharField(label="经度", required=False, max_length=20, help_text="WGS84/CGCS2000，如 129.508")
    latitude = forms.CharField(label="纬度", required=False, max_length=20, help_text="如 42.891")


class RegionImportForm(StyledForm, forms.Form):
    file = forms.FileField(label="区划文件", help_text="UTF-8 CSV（可为 .gz），列为 code,name,level,parent_code")
