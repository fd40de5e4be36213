"""Renderers of the file downloads (PDF, XML): the file is the view's own response; a
refusal on the way (404, 403, 429) is still a problem document, in JSON."""

from __future__ import annotations

from rest_framework.renderers import BaseRenderer, JSONRenderer


class DownloadRenderer(BaseRenderer):
    """Lets a client that asks for the file's type (Accept: application/pdf) be answered."""

    charset = None
    render_style = "binary"
    # api.problems: a problem answered through this renderer is still JSON.
    problems_as_json = True

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class PdfRenderer(DownloadRenderer):
    media_type = "application/pdf"
    format = "pdf"


class XmlRenderer(DownloadRenderer):
    media_type = "application/xml"
    format = "xml"
