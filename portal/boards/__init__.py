"""Public service-commitment boards (服务承诺公示栏): organisations pledge, report progress, residents rate them."""

from flask import Blueprint

bp = Blueprint("boards", __name__, url_prefix="/c/<slug>/board")
# The modules whose routes attach to `bp`, imported by create_app before the blueprint is registered.
ROUTES = ("views", "org_views", "report_views")
