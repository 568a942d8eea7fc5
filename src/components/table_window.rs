//! Windowed rendering of long tables: only the rows in view (and a few
//! either side) are in the DOM, with spacers that keep the scrollbar true.

/// The slice of a long list worth rendering: rows `start..end`, with empty
/// space of `top_px` above and `bottom_px` below so the scrollbar stays true.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub top_px: f64,
    pub bottom_px: f64,
}

/// Which rows of `total` (each `row_px` high) are visible in a viewport of
/// `viewport_px` scrolled to `scroll_px`, plus `overscan` rows either side,
/// never more than `max_rows`.
pub fn visible_window(
    scroll_px: f64,
    viewport_px: f64,
    total: usize,
    row_px: f64,
    overscan: usize,
    max_rows: usize,
) -> Window {
    let row_px = if row_px.is_finite() && row_px > 0.0 {
        row_px
    } else {
        1.0
    };
    let rows_at = |px: f64| -> usize {
        if px.is_finite() && px > 0.0 {
            // Saturating float-to-int conversion: huge values clamp.
            (px / row_px) as usize
        } else {
            0
        }
    };
    let first = rows_at(scroll_px).min(total);
    let shown = rows_at(viewport_px).saturating_add(1);
    let start = first.saturating_sub(overscan);
    let end = first
        .saturating_add(shown)
        .saturating_add(overscan)
        .min(total)
        .min(start.saturating_add(max_rows));
    let px = |rows: usize| rows as f64 * row_px;
    Window {
        start,
        end,
        top_px: px(start),
        bottom_px: px(total.saturating_sub(end)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_holds_the_visible_rows_and_overscan_only() {
        let w = visible_window(0.0, 700.0, 100_000, 36.0, 10, 150);
        assert_eq!((w.start, w.end), (0, 30));
        assert_eq!(w.top_px, 0.0);
        assert_eq!(w.bottom_px, (100_000 - 30) as f64 * 36.0);

        let w = visible_window(36.0 * 50_000.0, 700.0, 100_000, 36.0, 10, 150);
        assert_eq!((w.start, w.end), (49_990, 50_030));
        assert_eq!(
            w.top_px + w.bottom_px + (w.end - w.start) as f64 * 36.0,
            3_600_000.0
        );

        // Scrolled past the end (the list shrank): clamps, never panics.
        let w = visible_window(1e12, 700.0, 12, 36.0, 10, 150);
        assert!(w.start <= w.end && w.end <= 12);
        // A huge viewport never renders more than the cap.
        let w = visible_window(0.0, 1e9, 100_000, 36.0, 10, 150);
        assert_eq!(w.end - w.start, 150);
        let w = visible_window(f64::NAN, f64::NAN, 5, 0.0, 2, 150);
        assert!(w.end <= 5);
        assert_eq!(visible_window(0.0, 700.0, 0, 36.0, 10, 150).end, 0);
    }
}
