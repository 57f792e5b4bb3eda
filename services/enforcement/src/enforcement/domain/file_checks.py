"""What an evidence file's bytes must be before it is stored: exactly one well-formed file of the
declared type, and nothing that runs.

Images are walked container by container (JPEG marker segments and entropy-coded data up to EOI;
PNG chunks with their lengths and CRCs up to IEND; WebP RIFF chunks up to the RIFF size) and must
end exactly where the format says they end: bytes after the end are how a JPEG+ZIP or PNG+HTML
polyglot is made, so they are refused, as are truncated files. A PDF must start with `%PDF-`,
end with `%%EOF` (whitespace after it only) and carry no active content: JavaScript, embedded
files, launch actions, XFA or rich media, looked for in every name after `#xx` escapes are
decoded, in the file itself and inside its object streams. An object stream that cannot be
decoded is refused: what cannot be inspected is not stored. Every refusal is an EvidenceRejected
with a Chinese message and the English after it.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterator

from enforcement.domain.errors import EvidenceRejected

MISMATCH, MALFORMED, TRAILING, ACTIVE = "content_mismatch", "malformed", "trailing_data", "active_content"

_JPEG_SOI = b"\xff\xd8"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PDF_HEADER = b"%PDF-"
# Start-of-frame markers (baseline, progressive, lossless, arithmetic): DHT C4, JPG C8, DAC CC are not.
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_JPEG_RST = frozenset(range(0xD0, 0xD8))
_PNG_CRITICAL = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND"})
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}

# PDF names that make a document act on its own or carry other files. /OpenAction and /AA only
# say when an action runs; the actions that can do harm are these, so they are refused wherever
# they appear.
FORBIDDEN_PDF_NAMES = frozenset({
    b"JavaScript", b"JS", b"EmbeddedFile", b"EmbeddedFiles", b"Launch", b"XFA", b"RichMedia", b"GoToE"})
_PDF_EOF_WINDOW = 1024  # readers look for %%EOF in the last kilobyte
_PDF_MAX_INFLATED = 64 * 1024 * 1024  # an object stream bigger than this when inflated is a bomb
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb">>[\x00\t\n\x0c\r ]*stream(?:\r\n|\n|\r)")
_PDF_FILTERS = frozenset({
    b"FlateDecode", b"Fl", b"ASCIIHexDecode", b"AHx", b"ASCII85Decode", b"A85", b"LZWDecode", b"LZW",
    b"RunLengthDecode", b"RL", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode", b"DCTDecode", b"DCT", b"JPXDecode",
    b"Crypt"})
_PDF_DICT_TAIL = 2048  # how far before `stream` its dictionary is looked for


def _refuse(reason: str, zh: str, en: str) -> EvidenceRejected:
    return EvidenceRejected(reason, en, zh)


def sniff_media_type(content: bytes) -> str | None:
    """The media type the leading bytes announce, or None for none of the accepted ones."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(_PNG_SIGNATURE):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(_PDF_HEADER):
        return "application/pdf"
    return None


def check_content(media_type: str, content: bytes) -> None:
    """Raise EvidenceRejected unless `content` is exactly one well-formed, inert `media_type` file."""
    actual = sniff_media_type(content)
    if actual != media_type:
        found = f"{actual} 文件" if actual else "无法识别的内容"
        found_en = f"a {actual} file" if actual else "not a recognised file"
        raise _refuse(MISMATCH, f"声明的类型是 {media_type}，但内容是{found}",
                      f"declared {media_type} but the content is {found_en}")
    _CHECKS[media_type](content)


# --- JPEG ----------------------------------------------------------------------------------------


def check_jpeg(content: bytes) -> None:
    """SOI, marker segments with their lengths, at least one frame and one scan, EOI last."""
    if not content.startswith(_JPEG_SOI):
        raise _refuse(MISMATCH, "不是 JPEG 文件（缺少 SOI）", "not a JPEG file (no SOI marker)")
    end = len(content)
    pos, frame, scans = 2, False, 0
    while True:
        if pos >= end:
            raise _truncated("JPEG")
        if content[pos] != 0xFF:
            raise _refuse(MALFORMED, f"JPEG 在第 {pos} 字节处缺少段标记", f"JPEG has no marker at byte {pos}")
        while pos < end and content[pos] == 0xFF:  # fill bytes may precede a marker
            pos += 1
        if pos >= end:
            raise _truncated("JPEG")
        marker = content[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            if not frame or not scans:
                raise _refuse(MALFORMED, "JPEG 没有图像数据", "JPEG holds no frame or no scan")
            if pos != end:
                raise _trailing("JPEG", "EOI", end - pos)
            return
        if marker == 0x01 or marker in _JPEG_RST:  # TEM and stray RSTn carry no length
            continue
        if marker in (0x00, 0xD8):
            raise _refuse(MALFORMED, f"JPEG 含有非法标记 0xFF{marker:02X}",
                          f"JPEG has an invalid marker 0xFF{marker:02X}")
        if pos + 2 > end:
            raise _truncated("JPEG")
        (length,) = struct.unpack_from(">H", content, pos)
        if length < 2:
            raise _refuse(MALFORMED, "JPEG 段长度无效", "JPEG segment length is invalid")
        if pos + length > end:
            raise _truncated("JPEG")
        segment = content[pos + 2:pos + length]
        if marker in _JPEG_SOF:
            _jpeg_frame(segment)
            frame = True
        elif marker == 0xDA:  # SOS: a header, then entropy-coded data up to the next marker
            if not frame:
                raise _refuse(MALFORMED, "JPEG 扫描段出现在帧头之前", "JPEG scan before any frame header")
            if not segment or length != 6 + 2 * segment[0]:
                raise _refuse(MALFORMED, "JPEG 扫描头无效", "JPEG scan header is invalid")
            pos = _jpeg_entropy_end(content, pos + length)
            scans += 1
            continue
        pos += length


def _jpeg_frame(segment: bytes) -> None:
    if len(segment) < 6:
        raise _refuse(MALFORMED, "JPEG 帧头过短", "JPEG frame header is too short")
    _, _, width, components = struct.unpack_from(">BHHB", segment)
    if width == 0 or components == 0 or len(segment) != 6 + 3 * components:
        raise _refuse(MALFORMED, "JPEG 帧头无效", "JPEG frame header is invalid")


def _jpeg_entropy_end(content: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at `pos` ends: the 0xFF of the next real marker
    (0xFF00 is a stuffed data byte, 0xFFD0-0xFFD7 restart markers belong to the scan)."""
    end = len(content)
    while True:
        pos = content.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= end:
            raise _truncated("JPEG")
        following = content[pos + 1]
        if following == 0x00 or following in _JPEG_RST:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos


# --- PNG -----------------------------------------------------------------------------------------


def check_png(content: bytes) -> None:
    """Signature, IHDR first, every chunk's length and CRC, at least one IDAT, IEND last."""
    if not content.startswith(_PNG_SIGNATURE):
        raise _refuse(MISMATCH, "不是 PNG 文件（签名不符）", "not a PNG file (bad signature)")
    end, pos = len(content), len(_PNG_SIGNATURE)
    seen: list[bytes] = []
    while True:
        if pos + 8 > end:
            raise _truncated("PNG")
        length, kind = struct.unpack_from(">I4s", content, pos)
        data_at = pos + 8
        if length > 0x7FFFFFFF or data_at + length + 4 > end:
            raise _truncated("PNG")
        if not kind.isalpha() or not kind.isascii():
            raise _refuse(MALFORMED, "PNG 数据块类型无效", "PNG chunk type is invalid")
        (crc,) = struct.unpack_from(">I", content, data_at + length)
        if zlib.crc32(content[pos + 4:data_at + length]) != crc:
            raise _refuse(MALFORMED, f"PNG 数据块 {kind.decode()} 的 CRC 校验失败",
                          f"PNG chunk {kind.decode()} fails its CRC")
        if not seen and kind != b"IHDR":
            raise _refuse(MALFORMED, "PNG 的第一个数据块不是 IHDR", "PNG does not start with IHDR")
        if kind == b"IHDR":
            _png_header(content[data_at:data_at + length], first=not seen)
        elif kind[0:1].isupper() and kind not in _PNG_CRITICAL:
            raise _refuse(MALFORMED, f"PNG 含有未知的关键数据块 {kind.decode()}",
                          f"PNG has an unknown critical chunk {kind.decode()}")
        seen.append(kind)
        pos = data_at + length + 4
        if kind == b"IEND":
            if length != 0 or b"IDAT" not in seen:
                raise _refuse(MALFORMED, "PNG 没有图像数据", "PNG holds no image data")
            if pos != end:
                raise _trailing("PNG", "IEND", end - pos)
            return


def _png_header(data: bytes, *, first: bool) -> None:
    if not first or len(data) != 13:
        raise _refuse(MALFORMED, "PNG 文件头 (IHDR) 无效", "PNG header (IHDR) is invalid")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", data)
    if (not width or not height or depth not in _PNG_DEPTHS.get(colour, ())
            or compression or filtering or interlace > 1):
        raise _refuse(MALFORMED, "PNG 文件头 (IHDR) 无效", "PNG header (IHDR) is invalid")


# --- WebP ----------------------------------------------------------------------------------------


def check_webp(content: bytes) -> None:
    """RIFF size covering the file exactly, chunks up to it, an image chunk (VP8, VP8L or, after
    VP8X, an image or animation frame)."""
    if len(content) < 12 or content[:4] != b"RIFF" or content[8:12] != b"WEBP":
        raise _refuse(MISMATCH, "不是 WebP 文件", "not a WebP file")
    (riff_size,) = struct.unpack_from("<I", content, 4)
    end = 8 + riff_size
    if end > len(content):
        raise _truncated("WebP")
    if end != len(content):
        raise _trailing("WebP", "RIFF", len(content) - end)
    pos, kinds = 12, []
    while pos < end:
        if pos + 8 > end:
            raise _truncated("WebP")
        kind, size = struct.unpack_from("<4sI", content, pos)
        data_at = pos + 8
        if data_at + size > end:
            raise _truncated("WebP")
        data = content[data_at:data_at + size]
        if kind == b"VP8 " and (len(data) < 10 or data[3:6] != b"\x9d\x01\x2a"):
            raise _refuse(MALFORMED, "WebP 的 VP8 帧头无效", "WebP VP8 frame header is invalid")
        if kind == b"VP8L" and (len(data) < 5 or data[0] != 0x2F):
            raise _refuse(MALFORMED, "WebP 的 VP8L 头无效", "WebP VP8L header is invalid")
        kinds.append(kind)
        pos = data_at + size + (size & 1)  # chunks are padded to an even length
    if pos != end:
        raise _truncated("WebP")
    first = kinds[0] if kinds else None
    images = {b"VP8 ", b"VP8L"}
    if first in images or (first == b"VP8X" and (images | {b"ANMF"}) & set(kinds)):
        return
    raise _refuse(MALFORMED, "WebP 没有图像数据", "WebP holds no image data")


# --- PDF -----------------------------------------------------------------------------------------


def check_pdf(content: bytes) -> None:
    """`%PDF-` first, `%%EOF` last, and none of FORBIDDEN_PDF_NAMES in the file or its object streams."""
    if not content.startswith(_PDF_HEADER):
        raise _refuse(MISMATCH, "不是 PDF 文件（缺少 %PDF- 文件头）", "not a PDF file (no %PDF- header)")
    tail = content[-_PDF_EOF_WINDOW:]
    marker = tail.rfind(b"%%EOF")
    if marker < 0:
        raise _refuse(MALFORMED, "PDF 文件末尾没有 %%EOF（文件不完整）", "PDF has no %%EOF at its end (truncated)")
    if tail[marker + 5:].strip(b"\x00\t\n\x0c\r "):
        raise _trailing("PDF", "%%EOF", len(tail) - marker - 5)
    for where, data in _pdf_texts(content):
        if found := forbidden_pdf_names(data):
            names = ", ".join("/" + n.decode() for n in sorted(found))
            raise _refuse(ACTIVE, f"PDF 含有可执行或嵌入的内容（{names}{where[0]}）",
                          f"PDF carries active or embedded content ({names}{where[1]})")


def pdf_names(data: bytes) -> Iterator[bytes]:
    """Every name in `data` with its `#xx` escapes decoded (`/J#61vaScript` is /JavaScript)."""
    for match in _PDF_NAME.finditer(data):
        yield _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def forbidden_pdf_names(data: bytes) -> set[bytes]:
    return {name for name in pdf_names(data) if name in FORBIDDEN_PDF_NAMES}


def _pdf_texts(content: bytes) -> Iterator[tuple[tuple[str, str], bytes]]:
    """The file itself, then each object stream inflated (objects there are invisible in the raw bytes)."""
    yield ("", ""), content
    budget = _PDF_MAX_INFLATED
    for match in _PDF_STREAM.finditer(content):
        head = content[max(0, match.start() - _PDF_DICT_TAIL):match.start()]
        names = set(pdf_names(head[head.rfind(b"obj") + 3:] if b"obj" in head else head))
        if b"ObjStm" not in names:
            continue
        filters = names & _PDF_FILTERS
        if not filters and b"Filter" not in names:
            continue  # stored as is: its objects were in the raw scan
        if filters - {b"FlateDecode", b"Fl"} or not filters or b"DecodeParms" in names:
            raise _refuse(ACTIVE, "PDF 对象流的编码无法检查",
                          "PDF object stream uses an encoding that cannot be inspected")
        inflated = _inflate(memoryview(content)[match.end():], budget)
        budget -= len(inflated)
        yield (" 在对象流中", " inside an object stream"), inflated


def _inflate(data: memoryview, budget: int) -> bytes:
    """One zlib stream from the start of `data` (it ends itself: what follows is ignored)."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, budget + 1)
    except zlib.error as error:
        raise _refuse(ACTIVE, "PDF 对象流无法解压，无法检查",
                      "PDF object stream cannot be inflated for inspection") from error
    if len(inflated) > budget:
        raise _refuse(ACTIVE, "PDF 对象流解压后过大", "PDF object streams inflate beyond the inspection limit")
    if not inflater.eof:
        raise _refuse(MALFORMED, "PDF 对象流不完整", "PDF object stream is truncated")
    return inflated


# --- shared --------------------------------------------------------------------------------------


def _truncated(kind: str) -> EvidenceRejected:
    return _refuse(MALFORMED, f"{kind} 文件不完整或结构损坏", f"{kind} file is truncated or its structure is broken")


def _trailing(kind: str, end_marker: str, count: int) -> EvidenceRejected:
    return _refuse(TRAILING, f"{kind} 文件在结束标记 {end_marker} 之后还有 {count} 字节（可能是拼接的多格式文件）",
                   f"{count} bytes follow the {kind} end marker {end_marker} (a polyglot file?)")


_CHECKS: dict[str, Callable[[bytes], None]] = {
    "image/jpeg": check_jpeg, "image/png": check_png, "image/webp": check_webp, "application/pdf": check_pdf}
CHECKED_MEDIA_TYPES = frozenset(_CHECKS)
