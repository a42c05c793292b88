from django.shortcuts import render

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm


@requires(Perm.CAMPAIGN_VIEW)
def index(request):
    return render(request, "rectification/index.html", {})
