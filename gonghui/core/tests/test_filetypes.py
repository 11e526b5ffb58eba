import pytest

from gonghui.core.errors import DomainError
from gonghui.core.filetypes import DOCUMENT_MAX_BYTES, Upload, check_uploads, sniff

PDF = b"%PDF-1.7\n"


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (PDF, ("pdf", "application/pdf")),
        (b"\xff\xd8\xff\xe0", ("jpg", "image/jpeg")),
        (b"\x89PNG\r\n\x1a\n", ("png", "image/png")),
        (b"MZ\x90\x00", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_uploads_are_judged_by_their_first_bytes(head, found):
    assert sniff(head) == found


def check(*uploads: Upload) -> list[tuple[Upload, str]]:
    return check_uploads(uploads, program="demo", kinds={"invoice"}, max_count=2)


def test_good_uploads_come_back_with_their_content_type():
    upload = Upload("invoice", PDF + b"1", "发票.pdf")
    assert check(upload) == [(upload, "application/pdf")]


@pytest.mark.parametrize(
    ("uploads", "code", "words"),
    [
        ([Upload("invoice", PDF)] * 3, "demo.document_count", "一次最多上传 2 个文件"),
        (
            [Upload("invoice", PDF + b"0" * DOCUMENT_MAX_BYTES, "big.pdf")],
            "demo.document_too_large",
            "big.pdf",
        ),
        ([Upload("invoice", b"MZ\x90", "x.exe")], "demo.document_type", "x.exe"),
        ([Upload("photo", PDF, "a.pdf")], "demo.document_kind", "材料类型"),
    ],
)
def test_bad_uploads_are_refused_naming_the_file(uploads, code, words):
    with pytest.raises(DomainError) as refused:
        check(*uploads)
    assert refused.value.code == code and words in refused.value.message


def test_an_upload_is_read_one_byte_past_the_limit():
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("big.pdf", PDF + b"0" * (DOCUMENT_MAX_BYTES + 100))
    upload = Upload.of(file, "invoice")
    assert (upload.kind, upload.name, len(upload.data)) == (
        "invoice",
        "big.pdf",
        DOCUMENT_MAX_BYTES + 1,
    )
