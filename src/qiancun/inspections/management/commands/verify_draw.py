from django.core.management.base import BaseCommand, CommandError

from qiancun.inspections import draws
from qiancun.inspections.models import Draw


class Command(BaseCommand):
    help = "重新计算一次随机抽取：用记录的候选名单、种子和算法复算，检查名单摘要和抽取结果是否一致。"

    def add_arguments(self, parser):
        parser.add_argument("draw_id", type=int)

    def handle(self, *args, draw_id, **options):
        draw = Draw.objects.filter(pk=draw_id).select_related("round").first()
        if draw is None:
            raise CommandError(f"抽取 #{draw_id} 不存在")
        check = draws.verify(draw)
        total = sum(len(v) for v in draw.strata.values())
        self.stdout.write(f"抽取 #{draw.pk}（{draw.round}）算法 {draw.algorithm}，比例 {draw.percent}%，候选 {total} 个村，分 {len(draw.strata)} 层")
        self.stdout.write(f"候选名单 SHA-256：记录 {draw.eligible_sha256}，复算 {draws.digest(draw.strata)}")
        self.stdout.write(f"种子：{draw.seed or '（尚未输入）'}（{draw.seed_source}）")
        if not check.list_matches:
            raise CommandError("候选名单与公布的 SHA-256 不一致：名单被改动过")
        if not check.result_matches:
            raise CommandError(f"抽取结果不一致：记录 {len(draw.result)} 个村，复算 {len(check.recomputed)} 个村")
        self.stdout.write(self.style.SUCCESS(f"验证一致：复算抽中的 {len(check.recomputed)} 个村与记录完全相同"))
