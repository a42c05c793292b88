from django_tasks import task


@task(takes_context=True)
def run_region_import(context, import_id: int) -> str:
    from .actions import run_region_import_job
    from .models import RegionImport

    job = RegionImport.objects.get(pk=import_id)
    return run_region_import_job(job, task_id=context.task_result.id).status
