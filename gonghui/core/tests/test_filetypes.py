import pytest

from gonghui.core.filetypes import sniff


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b"%PDF-1.7\n", ("pdf", "application/pdf")),
        (b"\xff\xd8\xff\xe0", ("jpg", "image/jpeg")),
        (b"\x89PNG\r\n\x1a\n", ("png", "image/png")),
        (b"MZ\x90\x00", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_uploads_are_judged_by_their_first_bytes(head, found):
    assert sniff(head) == found
