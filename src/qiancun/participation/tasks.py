from django_tasks import task


@task()
def run_household_import(import_id: int) -> str:
    from .actions import run_household_import_job
    from .models import HouseholdImport

    return run_household_import_job(HouseholdImport.objects.get(pk=import_id)).status
