//! A horizontal bar chart in SVG, with its numbers in a table beside it, so
//! the figures are readable without the picture (and by screen readers).

use leptos::prelude::*;

use crate::domain::group_thousands;

/// One series of a grouped chart ("Licensed", "Used").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    /// A CSS color for its bars.
    pub color: &'static str,
}

impl Series {
    pub fn new(name: impl Into<String>, color: &'static str) -> Series {
        Series {
            name: name.into(),
            color,
        }
    }
}

/// One row of the chart: a label and one value per series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarGroup {
    pub label: String,
    pub values: Vec<u64>,
    /// Shown in the table instead of the number when set (e.g. "Site License").
    pub note: Option<String>,
}

impl BarGroup {
    pub fn new(label: impl Into<String>, values: Vec<u64>) -> BarGroup {
        BarGroup {
            label: label.into(),
            values,
            note: None,
        }
    }
}

const LABEL_W: f64 = 130.0;
const BAR_W: f64 = 190.0;
const VALUE_W: f64 = 60.0;
const BAR_H: f64 = 14.0;
const GROUP_GAP: f64 = 10.0;

fn format(n: u64) -> String {
    group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Shortens a label to fit the label column.
fn clip(label: &str) -> String {
    const MAX: usize = 20;
    if label.chars().count() <= MAX {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

/// The chart. `title` is its accessible name and caption; `summary` a
/// sentence describing it for screen readers.
#[component]
pub fn BarChart(
    #[prop(into)] title: String,
    #[prop(into)] summary: String,
    series: Vec<Series>,
    groups: Vec<BarGroup>,
    /// Slug for element IDs, unique on the page.
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let max = groups
        .iter()
        .flat_map(|g| g.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let per_group = BAR_H * series.len().max(1) as f64 + GROUP_GAP;
    let height = (per_group * groups.len() as f64).max(per_group) + 4.0;
    let width = LABEL_W + BAR_W + VALUE_W;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let bars = groups
        .iter()
        .enumerate()
        .map(|(gi, group)| {
            let y0 = gi as f64 * per_group + 2.0;
            let label_y = y0 + (per_group - GROUP_GAP) / 2.0 + 4.0;
            let rects = series
                .iter()
                .enumerate()
                .map(|(si, s)| {
                    let value = group.values.get(si).copied().unwrap_or(0);
                    let w =
                        (value as f64 / max as f64 * BAR_W).max(if value > 0 { 1.0 } else { 0.0 });
                    let y = y0 + si as f64 * BAR_H;
                    let tip = format!("{}, {}: {}", group.label, s.name, format(value));
                    view! {
                        <rect x=LABEL_W y=y width=w height=BAR_H - 2.0 fill=s.color>
                            <title>{tip}</title>
                        </rect>
                        <text x=LABEL_W + w + 4.0 y=y + BAR_H - 4.0>{format(value)}</text>
                    }
                })
                .collect_view();
            view! {
                <text x=LABEL_W - 6.0 y=label_y text-anchor="end">{clip(&group.label)}</text>
                {rects}
            }
        })
        .collect_view();
    let legend = (series.len() > 1).then(|| {
        series
            .iter()
            .map(|s| {
                let swatch = format!(
                    "display:inline-block;width:0.8rem;height:0.8rem;background:{};margin-right:0.3rem;vertical-align:middle",
                    s.color
                );
                view! { <span style="margin-right:1rem"><span style=swatch></span>{s.name.clone()}</span> }
            })
            .collect_view()
    });
    let head = series
        .iter()
        .map(|s| view! { <th scope="col" style="text-align:right">{s.name.clone()}</th> })
        .collect_view();
    let rows = groups
        .iter()
        .map(|g| {
            let cells = match &g.note {
                Some(note) => {
                    view! { <td colspan=series.len().to_string()>{note.clone()}</td> }.into_any()
                }
                None => g
                    .values
                    .iter()
                    .map(|v| view! { <td style="text-align:right">{format(*v)}</td> })
                    .collect_view()
                    .into_any(),
            };
            view! {
                <tr>
                    <th scope="row">{g.label.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let table_label = format!("{title}: numbers");
    view! {
        <figure class="chart" style="margin:0">
            <figcaption style="font-weight:600;margin-bottom:0.5rem">{title.clone()}</figcaption>
            <div style="display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start">
                <svg
                    role="img"
                    aria-labelledby=format!("{title_id} {desc_id}")
                    width=width
                    height=height
                    viewBox=format!("0 0 {width} {height}")
                >
                    <title id=title_id.clone()>{title.clone()}</title>
                    <desc id=desc_id.clone()>{summary}</desc>
                    {bars}
                </svg>
                <table class="chart-numbers" aria-label=table_label style="width:auto">
                    <thead>
                        <tr>
                            <th scope="col"></th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {legend.map(|l| view! { <p style="margin:0.5rem 0 0;font-size:0.85rem">{l}</p> })}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_clipped() {
        assert_eq!(clip("Invoice Pro"), "Invoice Pro");
        let long = clip("A very long package name indeed");
        assert_eq!(long.chars().count(), 20);
        assert!(long.ends_with('…'));
        assert_eq!(format(1_234_567), "1,234,567");
    }
}
