from django.shortcuts import render

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm


@requires(Perm.CAMPAIGN_VIEW)
def campaign_list(request):
    return render(request, "campaigns/campaign_list.html", {})
