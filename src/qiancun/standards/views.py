from django.shortcuts import render

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm

from .models import Standard


@requires(Perm.STANDARD_VIEW)
def standard_list(request):
    return render(request, "standards/standard_list.html", {"standards": Standard.objects.all()})
