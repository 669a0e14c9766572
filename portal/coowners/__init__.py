"""Co-owners name the unit's voter (共有人指定投票人): proposed and confirmed in the portal, or recorded by staff
from a paper form signed by every co-owner."""

from flask import Blueprint

# Owner pages live under /c/<slug>/units/, the staff's under /staff/c/<slug>/voters: each route gives its full path.
bp = Blueprint("coowners", __name__)
