"""What issue #11 found in the answers that carry households' data: the village export was not audited
and went through a second writer that made formulas of text, receipts of a missing cashier answered
500, and the farmer's page could be kept by the browser."""

import io

import pytest
from openpyxl import load_workbook

from qiancun.core.models import AuditAction, AuditEntry
from qiancun.core.testing import YANJI, YANJI_VILLAGE, client_for, make_user
from qiancun.participation import actions
from qiancun.participation.models import Household, Redemption

from .factories import give_points, goods, household, village_staff

pytestmark = pytest.mark.django_db


def sheet(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content)).worksheets[0]


def exports_of(code: str):
    return AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="participation.household", object_id=code)


@pytest.mark.parametrize("url", [f"/participation/villages/{YANJI_VILLAGE}/households/export/",
                                 f"/api/v1/participation/households/export?village={YANJI_VILLAGE}"])
def test_the_village_household_export_is_audited_like_the_region_export(url):
    household(number="001", head="张三")
    household(number="002", head="李四")
    leader = make_user("leader", "22")
    response = client_for(leader).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="households-{YANJI_VILLAGE}.xlsx"'
    entry = exports_of(YANJI_VILLAGE).get()
    assert entry.actor_username == leader.username and entry.changes == {"households": 2, "rows": 2}
    assert [row[5:7] for row in sheet(response).iter_rows(min_row=2, values_only=True)] == [("001", "张三"), ("002", "李四")]


@pytest.mark.parametrize("url", [f"/participation/villages/{YANJI_VILLAGE}/households/export/",
                                 f"/participation/regions/{YANJI}/households/export/"])
def test_household_text_that_looks_like_a_formula_stays_text_in_every_household_export(url):
    household(number="=1+2", head="@SUM(A1)", address="=HYPERLINK(\"http://evil.example\",\"点此\")")
    table = sheet(client_for(make_user("staff", YANJI)).get(url))
    number, name, address = table["F2"], table["G2"], table["K2"]
    assert (number.value, name.value, address.value) == ("=1+2", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\",\"点此\")")
    assert [c.data_type for c in (number, name, address)] == ["s", "s", "s"]
    # Marked as text (Excel's quote prefix): editing the cell in Excel does not turn it into a formula either.
    assert number.quotePrefix and name.quotePrefix and address.quotePrefix and not table["E2"].quotePrefix


def test_control_characters_already_stored_are_left_out_of_the_export():
    hh = household(number="001", head="张三", address="一组")
    Household.objects.filter(pk=hh.pk).update(address="一组\x1b[31m8\x7f号\x85")  # stored before input was checked
    table = sheet(client_for(make_user("staff", YANJI)).get(f"/participation/villages/{YANJI_VILLAGE}/households/export/"))
    assert table["K2"].value == "一组[31m8号"


def test_a_receipt_whose_cashier_is_gone_still_opens():
    hh = household(head="张三")
    give_points(hh, 20)
    item = goods(name="毛巾", price=5)
    redemption = actions.do_redeem(hh, [(item.pk, 2)], acting_user=village_staff(), idempotency_key="r-1")
    Redemption.objects.filter(pk=redemption.pk).update(created_by=None)  # as seeded receipts, or a cashier's account removed
    page = client_for(make_user("staff", YANJI)).get(f"/participation/redemptions/{redemption.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert redemption.receipt_no in text and "收银：—" in text and "毛巾 × 2" in text


def test_the_farmer_page_opened_by_link_is_not_stored(client):
    _link, token = actions.do_issue_link(household(), acting_user=village_staff())
    response = client.get(f"/participation/f/{token}/", follow=True)  # the token is handed over, then the page opens without it
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_a_venue_photo_is_served_without_the_cameras_position_or_a_polyglots_script():
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    staff = village_staff()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (42.0, 53.0, 24.0), 3: "E", 4: (129.0, 30.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buffer, "JPEG", exif=exif.tobytes(), comment=b"<script>alert(1)</script>")
    photo = SimpleUploadedFile("读书会.jpg", buffer.getvalue() + b"<?php system($_GET['c']); ?>", content_type="image/jpeg")
    venue = actions.do_create_venue(staff.scope, acting_user=staff, kind="library", name="农家书屋")
    activity = actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading", title="读书会",
                                          participants=20, photo=photo)
    response = client_for(staff).get(f"/participation/activities/{activity.pk}/photo/")
    served = b"".join(response.streaming_content)
    assert response.status_code == 200 and served.startswith(b"\xff\xd8")
    assert b"<script>" not in served and b"<?php" not in served and dict(Image.open(io.BytesIO(served)).getexif()) == {}
