"""Uploads are checked by what they are: a .docx or .xlsx must be a real Office package with no
program, macro or zip bomb inside; a PDF must be a PDF and nothing else; an image must say a
sane size. Each refusal names the file and the reason, in Chinese. (The forms that take uploads
keep what was typed: their own tests send these files too.)"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from proposals import uploads
from proposals.uploads import validate_upload
from tests import files


def refusal(name: str, content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_upload(SimpleUploadedFile(name, content), **kwargs)
    (message,) = caught.value.messages
    assert f"“{name}”" in message  # every refusal names the file
    return message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("情况说明.docx", files.docx()),
        ("统计表.xlsx", files.xlsx()),
        ("调研报告.pdf", files.pdf()),
        ("调研报告（扫描）.pdf", files.pdf() + b"\r\n\x00 \n"),  # whitespace after %%EOF
        ("现场.jpg", files.jpeg()),
        ("现场.png", files.png()),
        ("嵌入表格.docx", files.docx({"word/embeddings/Microsoft_Excel_Worksheet.xlsx": files.xlsx()})),
    ],
)
def test_real_documents_pdfs_and_images_pass(name, content):
    validate_upload(SimpleUploadedFile(name, content))


# --- Office packages -----------------------------------------------------------------------------------


def test_a_docx_with_an_exe_inside_is_refused_by_the_parts_name():
    message = refusal("情况说明.docx", files.docx({"word/media/setup.exe": b"MZ\x90\x00" + bytes(60)}))
    assert "内含可执行程序（word/media/setup.exe）" in message


@pytest.mark.parametrize("magic", [b"MZ\x90\x00", b"\x7fELF\x02\x01"])
def test_a_program_under_a_pictures_name_is_refused_by_its_content(magic):
    message = refusal("情况说明.docx", files.docx({"word/media/image1.png": magic + bytes(200)}))
    assert "内含可执行程序（word/media/image1.png）" in message


def test_a_program_inside_an_embedded_archive_is_found():
    embedded = files.plain_zip({"readme.txt": b"hi", "tools/run.bat": b"@echo off"})
    message = refusal("情况说明.docx", files.docx({"word/embeddings/package.zip": embedded}))
    assert "内含可执行程序（tools/run.bat）" in message


def test_archives_nested_deeper_than_a_document_needs_are_refused():
    innermost = files.plain_zip({"readme.txt": b"hi"})
    nested = files.plain_zip({"b.zip": files.plain_zip({"c.zip": innermost})})
    assert "内嵌的压缩包层数过多或过大" in refusal("情况说明.docx", files.docx({"word/embeddings/a.zip": nested}))


@override_settings(UPLOAD_MAX_MB=1, UPLOAD_ZIP_MAX_RATIO=100_000)
def test_an_embedded_archive_larger_than_an_upload_may_be_is_refused_unchecked():
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("blank.bin", bytes(2 * files.MB))
    content = files.docx({"word/embeddings/a.zip": stored.getvalue()})
    assert "内嵌的压缩包层数过多或过大" in refusal("情况说明.docx", content)


def test_a_docx_with_a_vba_project_is_refused_as_macros():
    message = refusal("情况说明.docx", files.docx({"word/vbaProject.bin": uploads.OLE2_MAGIC + bytes(100)}))
    assert "含有宏（word/vbaProject.bin）" in message and "不含宏" in message


def test_a_macro_enabled_document_renamed_docx_is_refused():
    assert "含有宏" in refusal("情况说明.docx", files.docx(main_type=files.WORD_MACRO_MAIN))


def test_a_zip_renamed_docx_without_content_types_is_refused():
    assert "是 ZIP 压缩包，不是 Word" in refusal("情况说明.docx", files.docx(content_types=False))
    assert "是 ZIP 压缩包，不是 Word" in refusal("材料.docx", files.plain_zip({"说明.txt": "你好".encode()}))


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("统计表.xlsx", files.docx(), "Word 文档"), ("情况说明.docx", files.xlsx(), "Excel 工作簿")],
)
def test_the_extension_must_match_the_packages_kind(name, content, kind):
    assert f"内容却是 {kind}" in refusal(name, content)


def test_a_password_protected_docx_is_told_to_remove_the_password():
    assert "设有打开密码" in refusal("情况说明.docx", uploads.OLE2_MAGIC + bytes(600))


def test_a_damaged_docx_is_refused():
    assert "已损坏" in refusal("情况说明.docx", files.docx()[:-30])


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(monkeypatch):
    bomb = files.zip_bomb(gigabytes=2)  # 2 GB of zeros in about 2 MB, every size in it true

    def unpack(*args, **kwargs):
        raise AssertionError("a part was unpacked")

    monkeypatch.setattr(uploads, "_unpack", unpack)
    assert len(bomb) < 3 * files.MB
    assert "解压后超过 200 MB（疑为“压缩炸弹”）" in refusal("情况说明.docx", bomb)


def test_a_few_kilobytes_that_unpack_to_gigabytes_through_a_nested_archive_are_refused():
    bomb = files.nested_zip_bomb()
    assert len(bomb) < 16 * 1024
    message = refusal("情况说明.docx", bomb)
    assert "压缩比超过 100 比 1（word/embeddings/package.zip" in message


@override_settings(UPLOAD_ZIP_MAX_RATIO=1000)
def test_with_a_laxer_ratio_the_nested_bomb_is_still_stopped_by_the_unpacked_size():
    assert "解压后超过 200 MB" in refusal("情况说明.docx", files.nested_zip_bomb())


def test_a_directory_that_understates_a_part_is_caught_while_unpacking():
    # The directory says 1,000 bytes (with their right CRC); the data unpacks to 50 MB.
    assert "被篡改" in refusal("情况说明.docx", files.lying_zip())


@override_settings(UPLOAD_ZIP_MAX_ENTRIES=5)
def test_too_many_parts_are_refused():
    content = files.docx({f"word/media/image{i}.png": files.png() for i in range(3)})
    assert "最多 5 个" in refusal("情况说明.docx", content)


@override_settings(UPLOAD_ZIP_MAX_UNPACKED_MB=1)
def test_the_unpacked_size_limit_is_a_setting():
    content = files.docx({"word/media/image1.png": bytes(2 * files.MB)})
    assert "解压后超过 1 MB" in refusal("情况说明.docx", content)


def test_office_files_are_not_opened_where_only_photos_may_go(monkeypatch):
    monkeypatch.setattr(uploads, "_check_package", lambda *args: pytest.fail("the package was opened"))
    assert "不是 JPG 或 PNG 格式的照片" in refusal("现场.docx", files.docx(), allowed=uploads.IMAGES)


# --- PDFs and images ---------------------------------------------------------------------------------


def test_a_pdf_html_polyglot_is_refused():
    polyglot = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n" + files.pdf()[9:]
    assert "夹带网页代码" in refusal("调研报告.pdf", polyglot)
    at_the_end = files.pdf() + b"<!DOCTYPE html><script>alert(1)</script>\n%%EOF\n"
    assert "夹带网页代码" in refusal("调研报告.pdf", at_the_end)


def test_an_html_file_renamed_pdf_is_refused():
    page = b"<!doctype html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
    assert "不是 PDF、Word 文档或图片" in refusal("调研报告.pdf", page)


def test_a_pdf_must_end_with_eof():
    assert "不是完整的 PDF" in refusal("调研报告.pdf", files.pdf().replace(b"%%EOF", b""))
    assert "不是完整的 PDF" in refusal("调研报告.pdf", b"%PDF-1.4\nnot really a pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [("巨图.png", files.png_claiming(20000, 20000)), ("巨图.jpg", files.jpeg_claiming(12000, 9000))],
)
def test_an_image_over_the_pixel_limit_is_refused(name, content):
    assert "像素，图片最多 100 MP" in refusal(name, content)


def test_an_image_that_does_not_say_its_size_is_refused():
    assert "无法作为 JPG 或 PNG 图片读取" in refusal("现场.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert "无法作为 JPG 或 PNG 图片读取" in refusal("现场.jpg", b"\xff\xd8\xff\xda" + bytes(64))
