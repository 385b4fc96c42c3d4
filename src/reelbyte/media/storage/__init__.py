"""The storage backend chosen by STORAGE_BACKEND, built on first use from the settings.

`reelbyte serve` fills in S3_ENDPOINT_URL and the keys of the embedded S3 server before the first
request, so building lazily sees the final settings.
"""

from __future__ import annotations

from functools import lru_cache

from reelbyte.core.config import get_settings
from reelbyte.media.storage.base import DirectUpload, Storage, StoredObject

__all__ = ["DirectUpload", "Storage", "StoredObject", "get_storage"]


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    settings = get_settings()
    public_base_url = settings.media_public_base_url or f"{settings.public_url.rstrip('/')}/v1/media"
    if settings.storage_backend == "cloudinary":
        from reelbyte.media.storage.cloudinary import CloudinaryStorage

        assert settings.cloudinary_url is not None  # the settings refuse to start without it
        return CloudinaryStorage(
            cloudinary_url=settings.cloudinary_url,
            api_base=settings.cloudinary_api_base,
            public_base_url=settings.media_public_base_url,
            notification_url=f"{settings.public_url.rstrip('/')}/v1/uploads/notifications/cloudinary",
        )
    from reelbyte.media.storage.s3 import S3Storage

    return S3Storage(
        endpoint_url=settings.s3_endpoint_url,
        bucket=settings.s3_bucket,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        region=settings.s3_region,
        public_base_url=public_base_url,
    )
