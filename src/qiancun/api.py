"""/api/v1/: the routers of every domain on one NinjaAPI (docs at /api/docs, served locally)."""

from qiancun.accounts.api import router as accounts_router
from qiancun.campaigns.api import router as campaigns_router
from qiancun.core.api import router as core_router
from qiancun.core.api_base import build_api
from qiancun.inspections.api import router as inspections_router
from qiancun.participation.api import router as participation_router
from qiancun.rectification.api import router as rectification_router
from qiancun.regions.api import router as regions_router
from qiancun.standards.api import router as standards_router

api = build_api()
api.add_router("", accounts_router)
api.add_router("", regions_router)
api.add_router("", core_router)
api.add_router("", standards_router)
api.add_router("", campaigns_router)
api.add_router("", inspections_router)
api.add_router("", participation_router)
api.add_router("", rectification_router)
