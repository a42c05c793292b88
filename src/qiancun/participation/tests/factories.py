"""Participation set-up for tests, through the actions."""

import itertools
import uuid

from qiancun.core.testing import YANJI, YANJI_VILLAGE, make_user
from qiancun.participation import actions
from qiancun.participation.personal_data import with_check_digit
from qiancun.regions.models import Region

_serial = itertools.count(1)


def village_staff(code: str = YANJI_VILLAGE):
    return make_user("staff", code)


def id_number(serial: int | None = None, region: str = "222401", born: str = "19800101") -> str:
    """A valid GB 11643 number: region, birth date, sequence, check digit."""
    serial = next(_serial) if serial is None else serial
    return with_check_digit(f"{region}{born}{serial % 1000:03d}")


def household(village_code: str = YANJI_VILLAGE, *, number: str | None = None, head: str = "张三", members: list[dict] | None = None, **kwargs):
    staff = village_staff(village_code) if len(village_code) == 12 else make_user("staff", YANJI)
    n = next(_serial)
    number = number or f"H{n:04d}"
    members = members or [{"name": head, "relation": "head", "id_number": id_number(n, born=f"19{50 + n % 40:02d}0{1 + n % 9}1{n % 10}"), "phone": f"138{n:08d}"}]
    return actions.do_create_household(Region.objects.get(code=village_code), acting_user=staff, number=number, head_name=head,
                                       members=members, **kwargs)


def give_points(hh, points: int, village_code: str = YANJI_VILLAGE):
    return actions.do_post_points(hh, acting_user=village_staff(village_code), idempotency_key=uuid.uuid4().hex, points=points, reason="测试加分")


def goods(village_code: str = YANJI_VILLAGE, *, name: str = "洗衣粉", price: int = 10, stock: int = 5):
    staff = village_staff(village_code)
    item = actions.do_create_goods(Region.objects.get(code=village_code), acting_user=staff, name=name, price_points=price, unit="袋")
    if stock:
        actions.do_stock_in(item, acting_user=staff, quantity=stock)
    item.refresh_from_db()
    return item


def county_criteria(county: str = YANJI):
    admin = make_user("staff", county)
    region = Region.objects.get(code=county)
    return [actions.do_add_criterion(region, acting_user=admin, name=name, max_score=score, order=i)
            for i, (name, score) in enumerate([("院落整洁", 40), ("室内卫生", 30), ("垃圾分类", 30)])]


def failed_import(village_code: str = YANJI_VILLAGE):
    """A workbook upload the worker has run and failed (it is not a workbook); its file is kept."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    job = actions.do_start_household_import(Region.objects.get(code=village_code), SimpleUploadedFile("h.xlsx", b"not a workbook"),
                                            acting_user=village_staff(village_code))
    return actions.run_household_import_job(job)
