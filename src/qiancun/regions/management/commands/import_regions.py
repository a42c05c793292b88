import time

from django.core.management.base import BaseCommand, CommandError

from qiancun.regions.actions import do_import_regions
from qiancun.regions.importer import RegionFileError


class Command(BaseCommand):
    help = "导入行政区划文件（code,name,level,parent_code；UTF-8 CSV，可为 .gz）。全部通过校验才写入，可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="区划 CSV 文件路径，例如 data/regions/jilin.csv")

    def handle(self, *args, file, **options):
        started = time.monotonic()

        def progress(phase, done, total):
            if options["verbosity"] >= 2:
                self.stderr.write(f"  {phase}: {done}/{total or '?'}")

        try:
            report = do_import_regions(file, progress=progress)
        except RegionFileError as exc:
            for error in exc.report.errors:
                self.stderr.write(str(error))
            if exc.report.error_count > len(exc.report.errors):
                self.stderr.write(f"……另有 {exc.report.error_count - len(exc.report.errors)} 处错误未列出")
            raise CommandError(exc.report.summary()) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{file}") from exc
        self.stdout.write(f"{report.summary()}（用时 {time.monotonic() - started:.1f} 秒）")
