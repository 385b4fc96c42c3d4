"""Every domain's models, imported in one place so metadata (Alembic, tests) sees them all."""

from reelbyte.admin import models as admin_models
from reelbyte.billing import models as billing_models
from reelbyte.catalog import models as catalog_models
from reelbyte.core import audit as audit_models
from reelbyte.core import views as core_models
from reelbyte.core.db import Base
from reelbyte.identity import models as identity_models
from reelbyte.media import models as media_models
from reelbyte.messaging import models as messaging_models
from reelbyte.notifications import models as notifications_models
from reelbyte.orders import models as orders_models
from reelbyte.payments import models as payments_models
from reelbyte.privacy import models as privacy_models
from reelbyte.projects import models as projects_models
from reelbyte.reviews import models as reviews_models
from reelbyte.search import models as search_models
from reelbyte.studio import models as studio_models

metadata = Base.metadata

__all__ = [
    "admin_models",
    "audit_models",
    "billing_models",
    "catalog_models",
    "core_models",
    "identity_models",
    "media_models",
    "messaging_models",
    "metadata",
    "notifications_models",
    "orders_models",
    "payments_models",
    "privacy_models",
    "projects_models",
    "reviews_models",
    "search_models",
    "studio_models",
]
