"""auditlib.publish.direct: the report template's cells written without Jinja, pinned to it.

For every notebook it writes, the page must be character for character the page the
template renders; for anything else it must leave the notebook to the template.
"""

from __future__ import annotations

import copy

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell

from auditlib.publish import export
from tests.test_export import FOOTER, _code, _display, _figure_output, _notebook

TITLE = 'Audit Highlights Report – September 2020 – Example & <Council> "Children\'s"'


def _both(nb, footer: export.ReportFooter = FOOTER) -> tuple[str, str | None]:
    """The template's page and the page written directly, for the same notebook."""
    nb = copy.copy(nb)
    nb.metadata = copy.deepcopy(nb.metadata)
    nb.metadata["title"] = TITLE
    resources = {
        "metadata": {"name": TITLE},
        "auditlib": {**footer.as_resources(), "csp": export.CONTENT_SECURITY_POLICY},
    }
    exporter = export._exporter()
    return (
        exporter.render_template(nb, copy.deepcopy(resources)),
        exporter.render_directly(nb, copy.deepcopy(resources)),
    )


def _image_without_caption():
    output = _figure_output(image_format="png")
    output.metadata["image/png"].pop("caption", None)
    output.metadata.pop("caption", None)
    output.metadata["image/png"]["width"] = 281.5
    return output


def _image_alt_at_top_level():
    output = _figure_output()
    output.metadata["alt"] = output.metadata["image/svg+xml"].pop("alt")
    return output


WRITTEN = {
    "report": _notebook(),
    "without id": _notebook(
        new_code_cell("x", outputs=[_display({"text/markdown": "No *id*."})], execution_count=2)
    ),
    "markdown with html": _notebook(
        new_markdown_cell("## Notes\n\nA <b>bold</b> & 'quoted' claim.")
    ),
    "html beats markdown": _notebook(
        _code("x", [_display({"text/html": "<p>html</p>", "text/markdown": "md"})])
    ),
    "empty outputs and stderr only": _notebook(
        _code("x", [new_output("stream", name="stderr", text="warning\n")]), _code("y")
    ),
    "image variants": _notebook(_code("x", [_image_without_caption(), _image_alt_at_top_level()])),
    "jpeg": _notebook(
        _code(
            "x",
            [
                _display(
                    {"image/jpeg": "/9j/AAAA", "text/plain": "<Figure>"},
                    {"image/jpeg": {"alt": "A photo & more", "width": 10}},
                )
            ],
        )
    ),
}


@pytest.mark.parametrize("name", list(WRITTEN))
@pytest.mark.parametrize(
    "footer",
    [FOOTER, export.ReportFooter(input_hash="", contact="")],
    ids=["with contact", "without contact"],
)
def test_the_page_written_directly_is_the_templates(name, footer):
    template, written = _both(WRITTEN[name], footer)
    assert written is not None
    assert written == template


def _without_cell_id():
    nb = _notebook()
    del nb.cells[-4]["id"]
    nb.nbformat_minor = 4
    return nb


def _with_widgets():
    nb = _notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


LEFT_TO_THE_TEMPLATE = {
    "raw cell": _notebook(new_raw_cell("<b>raw</b>")),
    "stdout": _notebook(_code("print(1)", [new_output("stream", name="stdout", text="1\n")])),
    "execute result": _notebook(
        _code("1", [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)])
    ),
    "error": _notebook(
        _code("1/0", [new_output("error", ename="ZeroDivisionError", evalue="x", traceback=[])])
    ),
    "javascript": _notebook(
        _code("x", [_display({"application/javascript": "alert(1)", "text/html": "<p>x</p>"})])
    ),
    "plain text": _notebook(_code("x", [_display({"text/plain": "just text"})])),
    "tagged code cell": _notebook(_code("x", [_display({"text/markdown": "x"})], tags=["keep"])),
    "widgets": _with_widgets(),
}


@pytest.mark.parametrize("name", list(LEFT_TO_THE_TEMPLATE))
def test_anything_else_is_left_to_the_template(name):
    template, written = _both(LEFT_TO_THE_TEMPLATE[name])
    assert written is None
    assert "<html" in template


def test_a_code_cell_without_an_id_is_written_as_the_template_writes_it():
    template, written = _both(_without_cell_id())
    assert written == template


def test_render_html_uses_the_page_written_directly(monkeypatch):
    calls: list[str] = []
    exporter = export._exporter()
    original = type(exporter).render_template

    def spy(self, nb, resources):
        calls.append(nb.metadata.get("title", ""))
        return original(self, nb, resources)

    monkeypatch.setattr(type(exporter), "render_template", spy)
    page = export.render_html(_notebook(), title="Direct", footer=FOOTER)
    assert "<title>Direct</title>" in page
    assert "Direct" not in calls  # the template only ever rendered the skeleton
