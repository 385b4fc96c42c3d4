"""Every domain's models, imported in one place so metadata (Alembic, tests) sees them all."""

from reelbyte.catalog import models as catalog_models
from reelbyte.core.db import Base
from reelbyte.identity import models as identity_models
from reelbyte.projects import models as projects_models

metadata = Base.metadata

__all__ = ["catalog_models", "identity_models", "metadata", "projects_models"]
