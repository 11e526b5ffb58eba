"""Uploads are judged by their first bytes, never by their name."""

from __future__ import annotations

# (leading bytes, extension, content type)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PDF, JPEG or PNG by its first bytes; None otherwise."""
    for magic, extension, content_type in SIGNATURES:
        if head.startswith(magic):
            return extension, content_type
    return None
