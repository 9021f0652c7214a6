"""The site's look on every figure (pipelines/reports/html.py styled_figure): merged into the
figure's JSON, it must be exactly what Plotly's own update calls would set."""

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from pipelines.reports.html import OKABE_ITO_COLOURS, styled_figure


def _with_update_calls(fig: go.Figure) -> dict:
    fig = go.Figure(fig)
    fig.update_layout(
        template=go.layout.Template(),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(OKABE_ITO_COLOURS),
        margin={"t": 30, "l": 70, "r": 30, "b": 60},
        height=fig.layout.height or 420,
        font={"size": 13, "color": "#2a3f5f"},
        hoverlabel={"align": "left"},
    )
    grid = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8"}
    fig.update_xaxes(automargin=True, **grid)
    fig.update_yaxes(automargin=True, **grid)
    return fig.to_dict()


def _subplots() -> go.Figure:
    fig = make_subplots(rows=1, cols=2, specs=[[{}, {"secondary_y": True}]])
    fig.add_bar(x=["a", "b"], y=[1, 2], row=1, col=1)
    fig.add_scatter(x=[1, 2], y=[3, 4], row=1, col=2, secondary_y=True)
    return fig


FIGURES = {
    "bar with its own margin, font and height": lambda: go.Figure(
        go.Bar(x=[1, 2], y=["x", "y"], orientation="h"),
        layout={"margin": {"l": 260, "pad": 4}, "font": {"family": "serif"}, "height": 300},
    ),
    "subplots with a secondary axis": _subplots,
    "pie, no axes": lambda: go.Figure(go.Pie(values=[1, 2], labels=["a", "b"])),
    "heatmap with a titled axis": lambda: go.Figure(
        go.Heatmap(z=[[1, 2], [3, 4]]), layout={"xaxis": {"title": {"text": "t"}}}
    ),
}


@pytest.mark.parametrize("name", FIGURES)
def test_site_look_is_what_plotlys_update_calls_would_set(name):
    fig = FIGURES[name]()
    assert styled_figure(fig) == _with_update_calls(fig)


def test_changing_one_styled_figure_leaves_the_next_alone():
    first = styled_figure(go.Figure(go.Bar(y=[1])))
    first["layout"]["margin"]["l"] = 999
    first["layout"]["colorway"].append("#000000")
    second = styled_figure(go.Figure(go.Bar(y=[1])))
    assert second["layout"]["margin"]["l"] == 70
    assert second["layout"]["colorway"] == list(OKABE_ITO_COLOURS)
