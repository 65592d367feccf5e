"""One way to make a PDF: `render_pdf(template_name, context) -> bytes` (WeasyPrint, A4, the
print stylesheet static/reports/print.css or another one, fonts from the system: Noto CJK, embedded as subsets)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PRINT_CSS = "reports/print.css"


def render_document(html: str, stylesheet: str = PRINT_CSS) -> Any:
    """A laid-out WeasyPrint document (its `pages`, `write_pdf()`). WeasyPrint is imported here:
    it takes half a second, which every web process need not pay."""
    from weasyprint import CSS, HTML

    path = finders.find(stylesheet)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(stylesheets=[CSS(filename=path)])


def render_pdf(template_name: str, context: dict[str, Any], stylesheet: str = PRINT_CSS) -> bytes:
    return render_document(render_to_string(template_name, context), stylesheet).write_pdf()
