"""The content checks of evidence files, on byte strings built by hand: well-formed files pass;
polyglots, truncated files, mislabelled files and PDFs with active content are refused."""

import struct
import zlib

import pytest

from enforcement.domain.errors import EvidenceRejected
from enforcement.domain.file_checks import check_content, forbidden_pdf_names, pdf_names

ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 16 + b"\x05\x00\x00\x00evil.sh" + b"PK\x05\x06" + b"\x00" * 18


def jpeg_segment(marker: int, data: bytes) -> bytes:
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data


def jpeg(scan: bytes = b"\x12\x34\xff\x00\x56\xff\xd0\x78") -> bytes:
    """SOI, APP0, DQT, SOF0 (1x1, one component), DHT, SOS, entropy-coded data, EOI."""
    return (b"\xff\xd8" + jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + jpeg_segment(0xDB, b"\x00" + bytes(range(1, 65)))
            + jpeg_segment(0xC0, struct.pack(">BHHB", 8, 1, 1, 1) + b"\x01\x11\x00")
            + jpeg_segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
            + jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + scan + b"\xff\xd9")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(*extra_chunks: bytes) -> bytes:
    """A 1x1 grey pixel: signature, IHDR, IDAT, IEND."""
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + b"".join(extra_chunks) + png_chunk(b"IDAT", zlib.compress(b"\x00\x7f")) + png_chunk(b"IEND", b""))


def webp() -> bytes:
    vp8l = b"\x2f\x00\x00\x00\x00"  # signature byte, then a 1x1 header
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + b"\x00"  # odd size: one pad byte
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def pdf(*objects: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n" % n + o + b"\nendobj\n" for n, o in enumerate(objects, start=1))
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def refused(media_type: str, content: bytes) -> EvidenceRejected:
    with pytest.raises(EvidenceRejected) as exc:
        check_content(media_type, content)
    return exc.value


@pytest.mark.parametrize(("media_type", "content"), [
    ("image/jpeg", jpeg()), ("image/jpeg", jpeg(scan=b"")), ("image/png", png()),
    ("image/png", png(png_chunk(b"tEXt", b"Comment\x00site visit"))), ("image/webp", webp()),
    ("application/pdf", pdf(CATALOG, PAGES)),
    ("application/pdf", pdf(b"<< /Type /Catalog /OpenAction [3 0 R /Fit] >>")),
])
def test_well_formed_files_pass(media_type: str, content: bytes) -> None:
    check_content(media_type, content)


@pytest.mark.parametrize(("media_type", "image"), [("image/jpeg", jpeg()), ("image/png", png()),
                                                   ("image/webp", webp())])
def test_an_image_with_a_zip_after_its_end_is_a_refused_polyglot(media_type: str, image: bytes) -> None:
    error = refused(media_type, image + ZIP)
    assert error.reason == "trailing_data"
    chinese, english = error.zh, str(error)
    assert "结束标记" in chinese and "polyglot" in english
    assert refused(media_type, image + b"\x00").reason == "trailing_data"


@pytest.mark.parametrize(("media_type", "image"), [("image/jpeg", jpeg()), ("image/png", png()),
                                                   ("image/webp", webp())])
def test_a_truncated_image_is_refused_wherever_it_is_cut(media_type: str, image: bytes) -> None:
    for cut in range(12, len(image)):
        assert refused(media_type, image[:cut]).reason in {"malformed", "trailing_data"}, cut


def test_a_jpeg_scan_keeps_stuffed_bytes_and_restart_markers_and_ends_at_the_next_marker() -> None:
    check_content("image/jpeg", jpeg(scan=b"\xff\x00" * 5 + b"\xff\xd3\x01\xff\xff\x00"))
    assert refused("image/jpeg", jpeg(scan=b"\xff\xd8")).reason == "malformed"  # SOI again, mid-file
    no_scan = jpeg().split(b"\xff\xda")[0] + b"\xff\xd9"
    assert refused("image/jpeg", no_scan).reason == "malformed"
    assert refused("image/jpeg", b"\xff\xd8\xff\xd9").reason == "malformed"


def test_a_png_chunk_with_a_wrong_crc_or_a_missing_header_is_refused() -> None:
    image = bytearray(png())
    image[-20] ^= 0xFF  # inside IDAT
    assert refused("image/png", bytes(image)).reason == "malformed"
    headless = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IDAT", b"") + png_chunk(b"IEND", b"")
    assert refused("image/png", headless).reason == "malformed"
    no_data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) + png_chunk(
        b"IEND", b"")
    assert refused("image/png", no_data).reason == "malformed"
    assert refused("image/png", png(png_chunk(b"ZZZZ", b"x"))).reason == "malformed"  # unknown critical chunk


@pytest.mark.parametrize(("declared", "content"), [
    ("image/jpeg", png()), ("image/png", jpeg()), ("image/webp", jpeg()), ("application/pdf", png()),
    ("image/jpeg", pdf(CATALOG)), ("image/jpeg", b"MZ\x90\x00" + b"\x00" * 60), ("image/png", ZIP),
])
def test_a_file_of_another_type_than_declared_is_refused(declared: str, content: bytes) -> None:
    error = refused(declared, content)
    assert error.reason == "content_mismatch"
    assert error.zh.startswith("声明的类型是") and f"declared {declared}" in str(error)


@pytest.mark.parametrize("dictionary", [
    b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>",
    b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
    b"<< /S /#4A#61#76#61#53#63#72#69#70#74 >>",
    b"<< /Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >> >>",
    b"<< /Type /Catalog /AA << /O 4 0 R >> >>\nendobj\n4 0 obj\n<< /S /JavaScript /JS 5 0 R >>",
    b"<< /Type /Catalog /Names << /EmbeddedFiles 6 0 R >> >>",
    b"<< /Type /EmbeddedFile /Length 3 >>",
    b"<< /Type /Catalog /AcroForm << /XFA 7 0 R >> >>",
])
def test_a_pdf_with_active_or_embedded_content_is_refused(dictionary: bytes) -> None:
    error = refused("application/pdf", pdf(dictionary, PAGES))
    assert error.reason == "active_content"
    assert error.zh.startswith("PDF 含有可执行或嵌入的内容")


def test_active_content_hidden_in_an_object_stream_is_found() -> None:
    hidden = zlib.compress(b"4 0 5 40 << /S /JavaScript /JS (app.alert(1)) >> << /Type /Page >>")
    stream = b"<< /Type /ObjStm /N 2 /First 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(
        hidden) + hidden + b"\nendstream"
    error = refused("application/pdf", pdf(CATALOG, stream))
    assert error.reason == "active_content" and "object stream" in str(error)
    clean = zlib.compress(b"4 0 << /Type /Page >>")
    harmless = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n" + clean + b"\nendstream"
    check_content("application/pdf", pdf(CATALOG, harmless))


def test_an_object_stream_that_cannot_be_inspected_is_refused() -> None:
    hex_encoded = b"<< /Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode >>\nstream\n2F4A53>\nendstream"
    assert refused("application/pdf", pdf(CATALOG, hex_encoded)).reason == "active_content"
    broken = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\nnot zlib at all\nendstream"
    assert refused("application/pdf", pdf(CATALOG, broken)).reason == "active_content"


def test_a_pdf_needs_its_header_and_a_final_eof() -> None:
    document = pdf(CATALOG, PAGES)
    assert refused("application/pdf", b"\n" + document).reason == "content_mismatch"
    assert refused("application/pdf", document[:-7]).reason == "malformed"  # cut before %%EOF
    assert refused("application/pdf", document + b"x" * 2000).reason == "malformed"  # %%EOF not near the end
    assert refused("application/pdf", document + ZIP).reason == "trailing_data"
    check_content("application/pdf", document + b"\r\n  ")


def test_pdf_names_are_read_with_their_escapes_decoded() -> None:
    assert list(pdf_names(b"<< /Type/Catalog /J#61vaScript /A#20B /x#zz >>")) == [
        b"Type", b"Catalog", b"JavaScript", b"A B", b"x#zz"]
    assert forbidden_pdf_names(b"/JSON /JavaScripts /JS") == {b"JS"}  # whole names only
