//! The one progress bar of long work (demo load, Reset, import, restore,
//! bulk apply): records saved of the total, from the commit's reports
//! (`IdbRepository::bulk`). Before the total is known (the demo still being
//! built, the records still being read) it shows that the work is under way
//! without a value, as an indeterminate `progressbar`.

use leptos::prelude::*;

use crate::domain::group_thousands;
use crate::storage::Progress;

fn thousands(n: usize) -> String {
    group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
}

/// "12,000 of 540,000 records", the bar's value as text.
pub fn progress_text(p: Progress) -> String {
    format!("{} of {} records", thousands(p.done), thousands(p.total))
}

/// Whole percent done (0 when there is nothing to do), for the bar's width.
pub fn percent(p: Progress) -> usize {
    p.done
        .min(p.total)
        .saturating_mul(100)
        .checked_div(p.total)
        .unwrap_or(0)
}

/// Home's demo load waits for the bar to be painted (kept here, where it
/// was: the helper itself is the browser turn module's).
pub use crate::browser_turn::after_paint;

/// `label` names the work ("Saving the demo data"); `progress` is `None`
/// until the commit reports its first count.
#[component]
pub fn ProgressBar(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] progress: Signal<Option<Progress>>,
) -> impl IntoView {
    let now = move || progress.get().map(|p| p.done.to_string());
    let max = move || progress.get().map(|p| p.total.to_string());
    let text = move || progress.get().map(progress_text);
    let width = move || {
        progress
            .get()
            .map_or("width:0%".to_string(), |p| format!("width:{}%", percent(p)))
    };
    let caption = move || match progress.get() {
        Some(p) => format!("{}: {} ({} %)", label.get(), progress_text(p), percent(p)),
        None => format!("{}…", label.get()),
    };
    view! {
        <div class="progress">
            <div
                class="progress-track"
                class:indeterminate=move || progress.get().is_none()
                role="progressbar"
                aria-label=move || label.get()
                aria-valuemin="0"
                aria-valuemax=max
                aria-valuenow=now
                aria-valuetext=text
            >
                <div class="progress-fill" style=width></div>
            </div>
            <p class="progress-caption" aria-hidden="true">{caption}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_percent() {
        let p = Progress::new(12_000, 540_000);
        assert_eq!(progress_text(p), "12,000 of 540,000 records");
        assert_eq!(percent(p), 2);
        assert_eq!(percent(Progress::new(540_000, 540_000)), 100);
        assert_eq!(percent(Progress::new(0, 0)), 0);
    }
}
