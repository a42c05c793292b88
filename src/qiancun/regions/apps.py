from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "qiancun.regions"
    verbose_name = "行政区划"
