from django_tasks import task


@task()
def run_region_import(import_id: int) -> str:
    from .actions import run_region_import_job
    from .models import RegionImport

    job = RegionImport.objects.get(pk=import_id)
    return run_region_import_job(job).status
