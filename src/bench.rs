//! In-page entry points for the benchmark (`scripts/bench.sh`, driven by
//! `bench/run.mjs`). Trunk exposes them as `window.wasmBindings.bench_*`;
//! the app never calls them. Kept tiny: they ship in the bundle, and reuse
//! code the app already has (the demo generator, the repository).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::demo::{build_demo_data_lazily, load_demo_data, DemoSize};
use crate::domain::License;
use crate::storage::{encode_v1, Expect, IdbRepository, Record, Repository, DEFAULT_DB_NAME};

thread_local! {
    /// The licenses `bench_insert` writes, built once by `bench_build_licenses`.
    static LICENSES: RefCell<Vec<License>> = const { RefCell::new(Vec::new()) };
}

fn js_err(e: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn demo_size(key: &str) -> Result<DemoSize, JsValue> {
    DemoSize::from_key(key).ok_or_else(|| js_err(format!("unknown demo size {key}")))
}

/// Builds the demo's licenses of `size` ("normal", "10k", "100k") with the
/// demo generator and keeps them for [`bench_insert`]; returns how many.
#[wasm_bindgen]
pub async fn bench_build_licenses(size: String) -> Result<u32, JsValue> {
    let now = crate::clock::now();
    let licenses = build_demo_data_lazily(now.date(), now, demo_size(&size)?)
        .await
        .map_err(|missing| js_err(missing.to_string()))?
        .licenses;
    let n = licenses.len() as u32;
    LICENSES.with(|l| *l.borrow_mut() = licenses);
    Ok(n)
}

/// The kept licenses exactly as the repository stores a new one (`{ id,
/// rev: 1, data, ix_* }`), as a JS array, for the raw IndexedDB side.
#[wasm_bindgen]
pub fn bench_js_objects() -> Result<js_sys::Array, JsValue> {
    LICENSES.with(|l| {
        let out = js_sys::Array::new();
        for license in l.borrow().iter() {
            let object = encode_v1(license, 1).map_err(js_err)?;
            for def in License::STORE.indexes() {
                if let Some(value) = license.index_value(def.name) {
                    js_sys::Reflect::set(&object, &def.key_path.into(), &value.into())?;
                }
            }
            out.push(&object);
        }
        Ok(out)
    })
}

/// Creates the database `db_name` with the app's schema, and closes it.
#[wasm_bindgen]
pub async fn bench_create_db(db_name: String) -> Result<(), JsValue> {
    IdbRepository::open(&db_name)
        .await
        .map(drop)
        .map_err(js_err)
}

/// Deletes the database `db_name`.
#[wasm_bindgen]
pub async fn bench_delete_db(db_name: String) -> Result<(), JsValue> {
    IdbRepository::delete_database(&db_name)
        .await
        .map_err(js_err)
}

/// Milliseconds of `put_all` (one batch of creates, committed) of the kept
/// licenses into the database `db_name` (opened before the clock starts).
#[wasm_bindgen]
pub async fn bench_insert(db_name: String) -> Result<f64, JsValue> {
    let repo = IdbRepository::open(&db_name).await.map_err(js_err)?;
    let records = LICENSES.with(|l| l.borrow().clone());
    let t0 = now_ms();
    repo.put_all(records, Expect::Absent)
        .await
        .map_err(js_err)?;
    Ok(now_ms() - t0)
}

/// Milliseconds of reading every license into the licenses list's rows
/// (what the list page does first) on the database `db_name` (opened before
/// the clock starts); fails unless it read `expect` licenses.
#[wasm_bindgen]
pub async fn bench_read(db_name: String, expect: u32) -> Result<f64, JsValue> {
    let repo = IdbRepository::open(&db_name).await.map_err(js_err)?;
    let t0 = now_ms();
    let (list, _) = crate::services::licenses::load_list_rows(&repo)
        .await
        .map_err(js_err)?;
    let ms = now_ms() - t0;
    if list.len() != expect as usize {
        return Err(js_err(format!(
            "read {} licenses, expected {expect}",
            list.len()
        )));
    }
    Ok(ms)
}

/// Replaces the app's data with the demo of `size`, as the Home page's
/// "Load demo data" does; returns how many licenses it holds.
#[wasm_bindgen]
pub async fn bench_load_demo(size: String) -> Result<u32, JsValue> {
    let size = demo_size(&size)?;
    let repo = IdbRepository::open(DEFAULT_DB_NAME).await.map_err(js_err)?;
    let now = crate::clock::now();
    let summary = load_demo_data(&repo, now.date(), now, size)
        .await
        .map_err(js_err)?;
    Ok(summary.licenses as u32)
}

/// Every importable object of the app's desk as the CSV files an LMA export
/// would hold (the same writers as the lists' Export CSV), as a JS object
/// `{ "licenses.csv": text, ... }`: the files the import benchmark reads.
#[wasm_bindgen]
pub async fn bench_export_files() -> Result<js_sys::Object, JsValue> {
    use crate::domain::{Account, Contact, Lead, Package, PackageVersion};
    use crate::exchange::{
        accounts_csv, contacts_csv, leads_csv, licenses_csv, package_versions_csv, packages_csv,
    };
    let repo = IdbRepository::open(DEFAULT_DB_NAME).await.map_err(js_err)?;
    let packages = repo.all_records::<Package>().await.map_err(js_err)?;
    let versions = repo.all_records::<PackageVersion>().await.map_err(js_err)?;
    let files = [
        ("packages.csv", packages_csv(&packages, &versions)),
        ("versions.csv", package_versions_csv(&versions)),
        (
            "accounts.csv",
            accounts_csv(&repo.all_records::<Account>().await.map_err(js_err)?),
        ),
        (
            "contacts.csv",
            contacts_csv(&repo.all_records::<Contact>().await.map_err(js_err)?),
        ),
        (
            "leads.csv",
            leads_csv(&repo.all_records::<Lead>().await.map_err(js_err)?),
        ),
        (
            "licenses.csv",
            licenses_csv(&repo.all_records::<License>().await.map_err(js_err)?),
        ),
    ];
    let out = js_sys::Object::new();
    for (name, text) in files {
        js_sys::Reflect::set(&out, &name.into(), &text.map_err(js_err)?.into())?;
    }
    Ok(out)
}

/// Bytes of the wasm linear memory: it only grows, so read after a piece
/// of work it is that work's high-water mark (with the app's own data).
#[wasm_bindgen]
pub fn bench_wasm_memory_bytes() -> Result<f64, JsValue> {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into()?;
    let buffer: js_sys::ArrayBuffer = memory.buffer().dyn_into()?;
    Ok(f64::from(buffer.byte_length()))
}

/// A `performance.mark` named `name` on the page's timeline: where a cold
/// start spends its time (`bench/run.mjs` reads the marks). Costs one call.
pub fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}
