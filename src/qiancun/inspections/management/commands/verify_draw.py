from django.core.management.base import BaseCommand, CommandError

from qiancun.inspections import draws
from qiancun.inspections.models import Draw


class Command(BaseCommand):
    help = ("重新计算一次随机抽取：按公布时承诺的候选名单和开奖号码复算，核对名单摘要、抽取结果、时间规则、"
            "每一项与公示记录是否一致，以及整条公示记录链。")

    def add_arguments(self, parser):
        parser.add_argument("draw_id", type=int)

    def handle(self, *args, draw_id, **options):
        draw = Draw.objects.filter(pk=draw_id).select_related("round").prefetch_related("links").first()
        if draw is None:
            raise CommandError(f"抽取 #{draw_id} 不存在")
        check = draws.verify(draw)
        total = sum(len(v) for v in draw.strata.values())
        self.stdout.write(f"抽取 #{draw.pk}（{draw.round}）算法 {draw.algorithm}，比例 {draw.percent}%，候选 {total} 个村，分 {len(draw.strata)} 层")
        self.stdout.write(f"候选名单 SHA-256：记录 {draw.eligible_sha256}，复算 {draws.digest(draw.strata)}")
        self.stdout.write(f"承诺：{draw.committed_source or '（早于承诺规则，未承诺种子来源）'}；承诺摘要 {draw.commitment_sha256 or '—'}")
        self.stdout.write(f"种子：{draw.seed or '（尚未输入）'}（{draw.seed_source}）；结果摘要 {draw.record_sha256 or '—'}")
        if check.head is not None:
            self.stdout.write(f"公示链：共 {check.head.seq} 条，最新一条摘要 {check.head.sha256}")
        problems = check.problems()
        if problems:
            raise CommandError("不一致：\n" + "\n".join(f"- {p}" for p in problems))
        if check.legacy:
            self.stdout.write(self.style.WARNING("本次抽取早于承诺规则：种子来源未在公布名单时承诺，无法核对"))
        if check.drawn:
            self.stdout.write(self.style.SUCCESS(f"验证一致：复算抽中的 {len(check.recomputed)} 个村与记录完全相同，公示记录链完整"))
        else:
            self.stdout.write(self.style.SUCCESS("承诺与公示记录链一致；尚未开奖抽取"))
