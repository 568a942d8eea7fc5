//! Not tests: where the memory and time of an import of the 100k demo's LMA
//! files and of an export of its licenses go, natively (a counting
//! allocator). Native sizes are larger than the wasm's (8-byte pointers), so
//! read the figures as shares, not as the browser's megabytes. Run with
//! `cargo test --release --lib exchange::measure -- --ignored --nocapture`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::NaiveDate;

use super::*;
use crate::demo::{build_demo_data, DemoSize};
use crate::domain::{seed_users, Sequences};
use crate::services::import::import_batch;

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let now = NOW.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            NOW.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn now_bytes() -> usize {
    NOW.load(Ordering::Relaxed)
}

fn reset_peak() {
    PEAK.store(now_bytes(), Ordering::Relaxed);
}

fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

fn mb(b: usize) -> f64 {
    b as f64 / 1e6
}

#[test]
#[ignore]
fn measure_import_and_export_of_the_100k_demo() {
    let now = NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap();
    let data = build_demo_data(now.date(), now, DemoSize::Large100k);
    let t = Instant::now();
    let licenses = licenses_csv(&data.licenses).unwrap();
    println!(
        "export: {} licenses, {:.1} MB of CSV in {:?}",
        data.licenses.len(),
        mb(licenses.len()),
        t.elapsed()
    );
    let files: Vec<(&str, String)> = vec![
        (
            "packages.csv",
            packages_csv(&data.packages, &data.versions).unwrap(),
        ),
        (
            "versions.csv",
            package_versions_csv(&data.versions).unwrap(),
        ),
        ("accounts.csv", accounts_csv(&data.accounts).unwrap()),
        ("contacts.csv", contacts_csv(&data.contacts).unwrap()),
        ("leads.csv", leads_csv(&data.leads).unwrap()),
        ("licenses.csv", licenses),
    ];
    drop(data);
    // MEASURE_FILES=<dir> also writes the files there (for a browser run).
    if let Ok(dir) = std::env::var("MEASURE_FILES") {
        for (name, text) in &files {
            std::fs::write(std::path::Path::new(&dir).join(name), text).unwrap();
        }
    }
    let csv_bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let base = now_bytes() - csv_bytes;
    reset_peak();
    let t = Instant::now();
    let users = seed_users();
    let mut job = ImportJob::new(&users[0].id, now);
    // As the Import page does: one file's bytes at a time.
    let mut held = 0;
    for (name, text) in files {
        job.add_file(name, text.into_bytes());
        while !job.is_done() {
            job.step(2_000);
        }
        held = held.max(now_bytes() - base);
    }
    println!(
        "read: {:?}; held {:.1} MB (at most {:.1} MB between files), peak {:.1} MB above the base ({:.1} MB of CSV)",
        t.elapsed(),
        mb(now_bytes() - base),
        mb(held),
        mb(peak() - base),
        mb(csv_bytes)
    );
    let desk = Desk {
        users,
        ..Desk::default()
    };
    let t = Instant::now();
    let plan = job.finish(&desk);
    println!(
        "plan: {:?}; {} records; held {:.1} MB, peak {:.1} MB",
        t.elapsed(),
        plan.writes.records(),
        mb(now_bytes() - base),
        mb(peak() - base)
    );
    let mut seq = Sequences::default();
    let batch = import_batch(&plan, &mut seq);
    println!(
        "batch: held {:.1} MB, peak {:.1} MB; peak ÷ CSV = {:.2}",
        mb(now_bytes() - base),
        mb(peak() - base),
        (peak() - base) as f64 / csv_bytes as f64
    );
    drop(batch);
}
