from django.shortcuts import render

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm


@requires(Perm.HOUSEHOLD_VIEW)
def index(request):
    return render(request, "participation/index.html", {})
