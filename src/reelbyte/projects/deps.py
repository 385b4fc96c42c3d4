"""Auth dependencies of the projects routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from reelbyte.identity.deps import OptionalUser, require_role
from reelbyte.identity.models import User

Viewer = OptionalUser
CurrentClient = Annotated[User, Depends(require_role("client"))]
CurrentCreator = Annotated[User, Depends(require_role("creator"))]
