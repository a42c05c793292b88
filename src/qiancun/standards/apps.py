from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "qiancun.standards"
    verbose_name = "创建标准"

    def ready(self):
        # Every installed app's `computations` module registers the indicators it can judge
        # from platform data (see qiancun.standards.computations).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("computations")
