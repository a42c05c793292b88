from django import forms

from qiancun.core.forms import StyledForm

from . import computations
from .choices import IndicatorCategory, IndicatorKind, JudgedBy, PassRule
from .models import Standard


class StandardForm(StyledForm, forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    pass_rule = forms.ChoiceField(label="通过规则", choices=PassRule.choices, initial=PassRule.ALL)
    pass_score = forms.IntegerField(
        label="分数线", required=False, min_value=1, max_value=10000,
        help_text="仅“总分达到分数线”规则使用：达到或不适用的指标计分值，总分不低于分数线且无一票否决项未达到方为通过",
    )
    is_provisional = forms.BooleanField(
        label="草案（措辞待替换为正式印发的标准文本）", required=False, initial=True,
    )
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="依据文件、适用范围等，印在创建标准手册的开头",
    )


class StandardCreateForm(StandardForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    copy_from = forms.ModelChoiceField(
        label="复制指标自", queryset=Standard.objects.none(), required=False, empty_label="不复制（从空白开始）",
        help_text="从已有标准复制全部指标，再按需修改",
    )
    field_order = ["year", "name", "copy_from", "pass_rule", "pass_score", "is_provisional", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = Standard.objects.order_by("-year", "-version")


class IndicatorForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=IndicatorKind.choices)
    code = forms.CharField(label="编号", max_length=10, required=False, help_text="如 有3、无2；新增时留空则自动编号")
    category = forms.ChoiceField(label="类别", choices=IndicatorCategory.choices)
    title = forms.CharField(label="指标", max_length=100)
    description = forms.CharField(
        label="检查内容", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="检查员核查什么、怎样算达到。对“无”类指标，写明发现什么即为“未达到”",
    )
    evidence_required = forms.BooleanField(label="须拍照取证", required=False)
    is_veto = forms.BooleanField(label="一票否决（“总分达到分数线”规则下，该项未达到即不通过）", required=False)
    judged_by = forms.ChoiceField(label="判定方式", choices=JudgedBy.choices, initial=JudgedBy.INSPECTOR)
    computation = forms.ChoiceField(
        label="计算规则", required=False, help_text="判定方式为“平台数据自动计算”时选择",
    )
    weight = forms.IntegerField(label="分值", min_value=0, max_value=1000, initial=0, required=False, help_text="仅“总分达到分数线”规则使用")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computation"].choices = [("", "—")] + computations.choices()


class IndicatorImportForm(StyledForm, forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        help_text="使用本标准“导出 Excel”得到的文件作为模板：表中各行将替换本标准的全部指标",
    )
