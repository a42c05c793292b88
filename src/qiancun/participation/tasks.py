from django_tasks import task


@task(takes_context=True)
def run_household_import(context, import_id: int) -> str:
    from .actions import run_household_import_job
    from .models import HouseholdImport

    job = HouseholdImport.objects.get(pk=import_id)
    return run_household_import_job(job, task_id=context.task_result.id).status
