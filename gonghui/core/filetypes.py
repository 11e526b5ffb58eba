"""Uploads are judged by their first bytes, never by their name."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

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


@dataclass
class Upload:
    """A document as a person uploaded it: its kind (the program's choice list), bytes, name."""

    kind: str
    data: bytes
    name: str = ""

    @classmethod
    def of(cls, file: Any, kind: str) -> Upload:
        """An uploaded file as sent: one byte more than allowed is read, so that
        `check_uploads` refuses anything larger without reading all of it."""
        return cls(kind, file.read(DOCUMENT_MAX_BYTES + 1), file.name or "")


def check_uploads(
    uploads: Sequence[Upload], *, program: str, kinds: Collection[str], max_count: int
) -> list[tuple[Upload, str]]:
    """Each upload with its content type, or DomainError(`<program>.document_…`) naming the
    first file that is too large, not a PDF/JPEG/PNG by its bytes, or of no known kind."""
    if len(uploads) > max_count:
        raise DomainError(
            f"{program}.document_count", _("一次最多上传 %(n)d 个文件") % {"n": max_count}
        )
    checked = []
    for upload in uploads:
        if len(upload.data) > DOCUMENT_MAX_BYTES:
            raise DomainError(
                f"{program}.document_too_large",
                _("文件“%(name)s”超过 10 MB，请压缩或分页后再上传") % {"name": upload.name},
            )
        found = sniff(upload.data[:16])
        if found is None:
            raise DomainError(
                f"{program}.document_type",
                _("文件“%(name)s”不是 PDF、JPEG 或 PNG，请拍照或扫描后上传")
                % {"name": upload.name},
            )
        if upload.kind not in kinds:
            raise DomainError(f"{program}.document_kind", _("请选择材料类型"))
        checked.append((upload, found[1]))
    return checked
