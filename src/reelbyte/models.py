"""Every domain's models, imported in one place so metadata (Alembic, tests) sees them all."""

from reelbyte.core.db import Base
from reelbyte.identity import models as identity_models

metadata = Base.metadata

__all__ = ["identity_models", "metadata"]
