"""Real files for the upload tests, good and hostile, built in memory: Office packages with
what a document must hold (or something it must not), zip bombs that declare gigabytes in a
few kilobytes without anything writing gigabytes, PDFs and polyglots, images of any size."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

MB = 1024 * 1024

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" ContentType="{type}"/></Types>'
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{main}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>关于加强学校周边交通安全的建议</w:t></w:r></w:p></w:body></w:document>"
)


def docx(extra: dict[str, bytes] | None = None, *, main_type: str = WORD_MAIN, content_types: bool = True) -> bytes:
    """A minimal Word document (what Word needs to open it), with `extra` parts added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main="word/document.xml", type=main_type))
        archive.writestr("_rels/.rels", RELS.format(main="word/document.xml"))
        archive.writestr("word/document.xml", DOCUMENT)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx(rows: list[list[object]] | None = None) -> bytes:
    """A workbook as openpyxl (and so the app's exports) writes it."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows or [["单位名称", "简称"], ["区教育局", "教育局"]]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plain_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pdf(text: str = "调研报告") -> bytes:
    """A small valid one-page PDF."""
    body = f"BT /F1 12 Tf 50 780 Td ({text.encode('unicode_escape').decode()}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 100, 50)).save(out, "JPEG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header asks for `width` × `height` pixels (a pixel bomb: the browser
    allocates what the header says before it finds out the data is missing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is changed to say `width` × `height`."""
    data = bytearray(jpeg())
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# --- zip bombs and forged archives -------------------------------------------------------------------


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes (a whole number of megabytes) and its CRC,
    built by repeating one compressed megabyte: a full flush makes each one identical."""
    assert size % MB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * (size // MB) + compressor.flush(zlib.Z_FINISH)
    crc, megabyte = 0, bytes(MB)
    for _ in range(size // MB):
        crc = zlib.crc32(megabyte, crc)
    return stream, crc


def raw_zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP written by hand from already deflated parts: (name, deflated bytes, the size the
    directory declares, the CRC it declares). What it declares need not be true."""
    out, directory = bytearray(), bytearray()
    for name, data, size, crc in parts:
        encoded = name.encode()
        offset = len(out)
        fields = struct.pack("<HHHHHLLLHH", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += b"PK\x03\x04" + fields + encoded + data
        directory += (
            b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHLL", 0, 0, 0, 0, offset) + encoded
        )
    end = struct.pack("<HHHHLLH", 0, 0, len(parts), len(parts), len(directory), len(out), 0)
    return bytes(out + directory + b"PK\x05\x06" + end)


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def docx_parts() -> list[tuple[str, bytes, int, int]]:
    """The parts of `docx()`, deflated, for `raw_zip`."""
    archive = zipfile.ZipFile(io.BytesIO(docx()))
    return [(i.filename, deflate(archive.read(i)), i.file_size, i.CRC) for i in archive.infolist()]


def zip_bomb(gigabytes: int = 2) -> bytes:
    """A .docx with a 'picture' of `gigabytes` GB of zeros in about 2 MB: what its directory
    says is true, the part really unpacks to that."""
    stream, crc = deflated_zeros(gigabytes * 1024 * MB)
    return raw_zip([*docx_parts(), ("word/media/image1.png", stream, gigabytes * 1024 * MB, crc)])


def nested_zip_bomb() -> bytes:
    """A .docx of a few kilobytes holding an embedded archive of 2 MB that unpacks to 2 GB:
    compressed data of zeros compresses very well again."""
    inner = zip_bomb(2)
    return raw_zip([*docx_parts(), ("word/embeddings/package.zip", deflate(inner), len(inner), zlib.crc32(inner))])


def lying_zip() -> bytes:
    """A .docx whose directory says a part holds 1,000 bytes (with the right CRC of those) while
    its data unpacks to 50 MB: a reader that trusts the directory stops early and is satisfied."""
    stream, _crc = deflated_zeros(50 * MB)
    return raw_zip([*docx_parts(), ("word/media/image1.png", stream, 1000, zlib.crc32(bytes(1000)))])
