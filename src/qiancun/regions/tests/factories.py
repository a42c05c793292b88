"""Regions set-up for tests, through the actions."""

from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.core.testing import province_admin
from qiancun.regions import actions
from qiancun.regions.models import RegionImport


def failed_import(content: bytes = b"code,name\n", name: str = "bad.csv") -> RegionImport:
    """An upload the worker has run and failed (by default for its missing columns); its file is kept."""
    job = actions.do_start_region_import(SimpleUploadedFile(name, content), acting_user=province_admin())
    return actions.run_region_import_job(job)
