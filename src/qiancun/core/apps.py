from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qiancun.core"
    verbose_name = "基础"
