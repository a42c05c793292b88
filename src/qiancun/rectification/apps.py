from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "qiancun.rectification"
    verbose_name = "问题整改"
