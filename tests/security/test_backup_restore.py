"""`backup` then `restore` into an empty database: every table's row count and checksum, and every
photo, come back identical. Marked long: it dumps and reloads the whole Jilin tree."""

import json
import shutil
import tarfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from qiancun.inspections.tests.factories import jpeg
from qiancun.participation import actions as participation_actions
from qiancun.participation.tests.factories import give_points, household, village_staff

pytestmark = pytest.mark.long


def manifest_of(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def test_backup_restores_into_an_empty_database_identically(jilin, tmp_path):
    hh = household(head="赵六")
    give_points(hh, 20)
    staff = village_staff()
    venue = participation_actions.do_create_venue(staff.scope, acting_user=staff, kind="library", name="农家书屋")
    activity = participation_actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading",
                                                        title="读书会", participants=20, photo=jpeg("读书会.jpg"))
    first = tmp_path / "first.tar.gz"
    call_command("backup", str(first))
    before = manifest_of(first)
    assert before["tables"]["regions.region"]["rows"] > 10000
    assert before["tables"]["participation.ledgerentry"]["rows"] == 1
    assert activity.photo.name in before["files"]

    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(first))

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    Path(settings.MEDIA_ROOT).mkdir()
    call_command("restore", str(first))

    again = tmp_path / "again.tar.gz"
    call_command("backup", str(again))
    after = manifest_of(again)
    assert after["tables"] == before["tables"]
    assert after["files"] == before["files"]
