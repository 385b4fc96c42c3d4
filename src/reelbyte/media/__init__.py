"""Uploads, storage backends and media processing."""
