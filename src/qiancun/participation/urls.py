from django.urls import path

from . import views

app_name = "participation"
urlpatterns = [
    path("", views.index, name="index"),
    path("f/", views.farmer_home, name="farmer_home"),
    path("f/<str:token>/", views.farmer, name="farmer"),
    path("template.xlsx", views.import_template, name="import_template"),
    path("counties/<str:code>/criteria/", views.criteria, name="criteria"),
    path("villages/<str:code>/", views.village, name="village"),
    path("villages/<str:code>/households/", views.households, name="households"),
    path("villages/<str:code>/households/new/", views.household_create, name="household_create"),
    path("villages/<str:code>/households/export/", views.households_export, name="households_export"),
    path("villages/<str:code>/households/import/", views.household_import, name="household_import"),
    path("villages/<str:code>/groups/", views.groups, name="groups"),
    path("villages/<str:code>/ratings/", views.rounds, name="rounds"),
    path("villages/<str:code>/bank/", views.bank, name="bank"),
    path("villages/<str:code>/rankings/", views.rankings, name="rankings"),
    path("villages/<str:code>/shop/", views.shop, name="shop"),
    path("villages/<str:code>/counter/", views.counter, name="counter"),
    path("villages/<str:code>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("villages/<str:code>/venues/", views.venues, name="venues"),
    path("activities/<int:pk>/photo/", views.activity_photo, name="activity_photo"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/group/", views.household_group, name="household_group"),
    path("households/<int:pk>/propose/", views.propose, name="propose"),
    path("households/<int:pk>/link/", views.link_issue, name="link_issue"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("links/<int:pk>/renew/", views.link_renew, name="link_renew"),
    path("members/<int:pk>/unmask/", views.member_unmask, name="member_unmask"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("imports/<int:pk>/rerun/", views.import_rerun, name="import_rerun"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("ratings/<int:pk>/", views.round_detail, name="round"),
    path("ratings/<int:pk>/honour/", views.honour_list, name="honour_list"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("ledger/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("redemptions/<int:pk>/", views.receipt, name="receipt"),
]

# Every household of a province, city, county, township or village (masked, streamed): participation/exports.py.
urlpatterns += [
    path("regions/<str:code>/households/export/", views.region_households_export, name="region_households_export"),
]
